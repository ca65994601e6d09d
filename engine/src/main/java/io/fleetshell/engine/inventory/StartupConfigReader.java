package io.fleetshell.engine.inventory;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the two startup config formats real fleets use, keeping the line of every entry:
 * <ul>
 *   <li>{@code agent_groups:} mapping group to agent name to fields;</li>
 *   <li>a list of {@code {name, script_path, ...}} under a key ending in {@code services}
 *       (such as {@code pc2_services:}).</li>
 * </ul>
 * Other top-level keys are ignored. Malformed YAML, or a file in neither format, is a
 * {@link ErrorCode#CONFIG_INVALID} error naming the file, line and fix. Inside those two blocks, what is
 * clearly not an agent (a {@code description:} string, an {@code agents:} list of names, a group that is a
 * list, a field that slipped out of its agent's indentation) becomes a {@link Notice} and is skipped: real
 * configs nest such blocks ({@code docker_groups:}) next to their agents.
 */
public final class StartupConfigReader {

    private static final String GROUPS_KEY = "agent_groups";
    /** Deeper flow nesting than this is no config: 5,000 nested {@code [} overflowed the parser's stack. */
    static final int NESTING_LIMIT = 64;
    /** Fields of an agent entry; one of these as an agent's name is a field that lost its indentation. */
    private static final java.util.Set<String> AGENT_FIELDS = java.util.Set.of("script_path", "port", "health_check_port",
            "host", "required", "dependencies", "config", "language", "test_command", "restart_command", "infrastructure");

    public StartupConfig read(Path file, String text) {
        rejectDeepNesting(file, text);
        try {
            return readNested(file, text);
        } catch (StackOverflowError e) { // block nesting ("- - - ...") that the flow scan cannot see
            throw new FleetshellException(ErrorCode.CONFIG_INVALID,
                    "%s: nested too deeply to read (over the parser's nesting limit); a startup config needs a few levels. Nothing was loaded from this file."
                            .formatted(file));
        }
    }

    private StartupConfig readNested(Path file, String text) {
        List<Notice> notices = new ArrayList<>();
        Node root = compose(file, text);
        rejectDuplicateKeys(file, root);
        if (!(root instanceof MappingNode mapping)) {
            throw invalid(file, root == null ? 1 : line(root),
                    "the file is empty or not a mapping; a startup config has agent_groups: or a <machine>_services: list at top level");
        }
        Map<String, Object> globalSettings = Map.of();
        Map<String, Integer> settingLines = Map.of();
        String machineKey = null;
        int machineLine = 1;
        List<StartupConfig.Entry> entries = new ArrayList<>();
        boolean recognized = false;
        for (NodeTuple tuple : mapping.getValue()) {
            String key = scalarText(tuple.getKeyNode());
            Node value = tuple.getValueNode();
            if (key == null) {
                continue;
            }
            if (key.equals("global_settings") && value instanceof MappingNode settings) {
                globalSettings = toMap(settings);
                settingLines = settingLines(settings);
            } else if (key.equals("machine") && value instanceof ScalarNode) {
                machineKey = scalarText(value);
                machineLine = line(tuple.getKeyNode());
            } else if (key.equals(GROUPS_KEY)) {
                recognized = true;
                readGroups(file, value, entries, notices);
            } else if (key.endsWith("services")) {
                recognized = true;
                readServiceList(file, key, value, entries, notices);
                if (machineKey == null && key.endsWith("_services")) {
                    machineKey = key.substring(0, key.length() - "_services".length());
                    machineLine = line(tuple.getKeyNode());
                }
            }
        }
        if (!recognized) {
            throw invalid(file, 1,
                    "no agent_groups: mapping and no <machine>_services: list at top level; fleetshell reads those two formats");
        }
        if (globalSettings.get("machine") instanceof String declared) {
            machineKey = declared;
            machineLine = settingLines.getOrDefault("machine", machineLine);
        }
        return new StartupConfig(file, globalSettings, settingLines, machineKey, machineLine, entries, notices);
    }

    /**
     * Refuses flow collections nested deeper than {@link #NESTING_LIMIT} before the recursive composer sees them.
     * Quoted scalars and comments are skipped so that a {@code [} inside a string does not count.
     */
    static void rejectDeepNesting(Path file, String text) {
        int depth = 0;
        int line = 1;
        char quote = 0;
        boolean comment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                comment = false;
                continue;
            }
            if (comment) {
                continue;
            }
            if (quote != 0) {
                if (c == quote && (quote == '\'' || text.charAt(i - 1) != '\\')) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '"', '\'' -> quote = i == 0 || " \t[{,:".indexOf(text.charAt(i - 1)) >= 0 ? c : 0;
                case '#' -> comment = i == 0 || Character.isWhitespace(text.charAt(i - 1));
                case '[', '{' -> {
                    if (++depth > NESTING_LIMIT) {
                        throw invalid(file, line, "collections nested more than %d deep (the nesting limit); a startup config needs a few levels"
                                .formatted(NESTING_LIMIT));
                    }
                }
                case ']', '}' -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
        }
    }

    private static Node compose(Path file, String text) {
        LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowDuplicateKeys(false)
                .setCodePointLimit(InventoryLoader.MAX_CONFIG_BYTES).build();
        try {
            return new Compose(settings).composeString(text).orElse(null);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(1);
            int column = e.getProblemMark().or(e::getContextMark).map(m -> m.getColumn() + 1).orElse(1);
            String context = e.getContext() != null && e.getContextMark().isPresent()
                    ? " (%s at line %d)".formatted(e.getContext(), e.getContextMark().get().getLine() + 1) : "";
            throw new FleetshellException(ErrorCode.CONFIG_INVALID,
                    "%s:%d:%d: broken YAML: %s%s. Fix the YAML there. Nothing was loaded from this file."
                            .formatted(file, line, column, e.getProblem(), context), e);
        } catch (YamlEngineException e) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID,
                    "%s: broken YAML: %s. Nothing was loaded from this file.".formatted(file, e.getMessage()), e);
        }
    }

    /** The composer keeps duplicate keys (only the constructor rejects them), and a later one would silently win. */
    private static void rejectDuplicateKeys(Path file, Node node) {
        if (node instanceof MappingNode mapping) {
            java.util.Map<String, Integer> seen = new java.util.HashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = scalarText(tuple.getKeyNode());
                Integer first = key == null ? null : seen.putIfAbsent(key, line(tuple.getKeyNode()));
                if (first != null) {
                    throw invalid(file, line(tuple.getKeyNode()),
                            "broken YAML: key '%s' appears twice in one mapping (first at line %d); remove or rename one"
                                    .formatted(key, first));
                }
                rejectDuplicateKeys(file, tuple.getValueNode());
            }
        } else if (node instanceof SequenceNode sequence) {
            sequence.getValue().forEach(n -> rejectDuplicateKeys(file, n));
        }
    }

    private void readGroups(Path file, Node value, List<StartupConfig.Entry> entries, List<Notice> notices) {
        if (!(value instanceof MappingNode groups)) {
            throw invalid(file, line(value), "agent_groups: must map group names to agents");
        }
        for (NodeTuple groupTuple : groups.getValue()) {
            String group = scalarText(groupTuple.getKeyNode());
            Node agents = groupTuple.getValueNode();
            if (agents instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL)) {
                continue; // an empty group
            }
            if (!(agents instanceof MappingNode agentMap)) {
                notices.add(new Notice(file, line(groupTuple.getKeyNode()), "'%s' under agent_groups is %s, not a group of agents: skipped"
                        .formatted(group, describe(agents))));
                continue;
            }
            String previous = null;
            for (NodeTuple agentTuple : agentMap.getValue()) {
                String name = scalarText(agentTuple.getKeyNode());
                Node fields = agentTuple.getValueNode();
                if (fields instanceof ScalarNode s && !s.getTag().equals(Tag.NULL) || fields instanceof SequenceNode) {
                    notices.add(new Notice(file, line(agentTuple.getKeyNode()), notAnAgent(group, name, fields, previous)));
                } else {
                    entries.add(entry(file, group, name, agentTuple.getKeyNode(), fields));
                    previous = name;
                }
            }
        }
    }

    /** The line of each global setting, and of each variable under its environment as {@code environment.NAME}. */
    private static Map<String, Integer> settingLines(MappingNode settings) {
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (NodeTuple tuple : settings.getValue()) {
            String key = scalarText(tuple.getKeyNode());
            lines.put(key, line(tuple.getKeyNode()));
            if ("environment".equals(key) && tuple.getValueNode() instanceof MappingNode env) {
                env.getValue().forEach(t -> lines.put("environment." + scalarText(t.getKeyNode()), line(t.getKeyNode())));
            }
        }
        return lines;
    }

    /** Why a key with a scalar or list value under a group is skipped, naming the likely slip. */
    private static String notAnAgent(String group, String name, Node value, String previous) {
        if (AGENT_FIELDS.contains(name) && previous != null) {
            return "'%s' in group '%s' is %s, not an agent; it looks like a field of %s that lost its indentation: indent it under %s. Skipped"
                    .formatted(name, group, describe(value), previous, previous);
        }
        return "'%s' in group '%s' is %s, not an agent's settings: skipped".formatted(name, group, describe(value));
    }

    private static String describe(Node node) {
        return switch (node) {
            case SequenceNode s -> "a list of %d item%s".formatted(s.getValue().size(), s.getValue().size() == 1 ? "" : "s");
            case ScalarNode s -> "the text '%s'".formatted(s.getValue().length() > 40 ? s.getValue().substring(0, 37) + "..." : s.getValue());
            default -> "a mapping";
        };
    }

    private void readServiceList(Path file, String key, Node value, List<StartupConfig.Entry> entries, List<Notice> notices) {
        if (value instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL)) {
            return;
        }
        if (!(value instanceof SequenceNode list)) {
            throw invalid(file, line(value), key + ": must be a list of services, each with name: and script_path:");
        }
        for (Node item : list.getValue()) {
            if (!(item instanceof MappingNode)) {
                notices.add(new Notice(file, line(item), "an item of %s is %s, not a service's settings: skipped".formatted(key, describe(item))));
                continue;
            }
            Object name = toMap((MappingNode) item).get("name");
            entries.add(entry(file, key, name == null ? null : name.toString(), item, item));
        }
    }

    private StartupConfig.Entry entry(Path file, String group, String name, Node at, Node fieldsNode) {
        if (fieldsNode instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL)) {
            return new StartupConfig.Entry(group, name, line(at), Map.of(), Map.of());
        }
        if (!(fieldsNode instanceof MappingNode fields)) {
            throw invalid(file, line(fieldsNode), "entry '" + name + "' must be a mapping of settings");
        }
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (NodeTuple tuple : fields.getValue()) {
            lines.put(scalarText(tuple.getKeyNode()), line(tuple.getKeyNode()));
        }
        return new StartupConfig.Entry(group, name, line(at), toMap(fields), lines);
    }

    private static Map<String, Object> toMap(MappingNode node) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (NodeTuple tuple : node.getValue()) {
            map.put(scalarText(tuple.getKeyNode()), toValue(tuple.getValueNode()));
        }
        return map;
    }

    private static Object toValue(Node node) {
        return switch (node) {
            case MappingNode m -> toMap(m);
            case SequenceNode s -> {
                List<Object> list = new ArrayList<>();
                s.getValue().forEach(n -> list.add(toValue(n)));
                yield list;
            }
            case ScalarNode s -> scalar(s);
            default -> null;
        };
    }

    private static Object scalar(ScalarNode node) {
        String text = node.getValue();
        Tag tag = node.getTag();
        try {
            if (tag.equals(Tag.NULL)) {
                return null;
            } else if (tag.equals(Tag.BOOL)) {
                return Boolean.parseBoolean(text.toLowerCase());
            } else if (tag.equals(Tag.INT)) {
                return Long.decode(text.replace("_", "").replace("0o", "0"));
            } else if (tag.equals(Tag.FLOAT)) {
                return Double.parseDouble(text);
            }
        } catch (NumberFormatException e) {
            return text;
        }
        return text;
    }

    private static String scalarText(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : null;
    }

    private static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).orElse(0) + 1;
    }

    static FleetshellException invalid(Path file, int line, String message) {
        return new FleetshellException(ErrorCode.CONFIG_INVALID,
                "%s:%d: %s. Nothing was loaded from this file.".formatted(file, line, message));
    }
}
