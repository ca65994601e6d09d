package io.fleetshell.shell.cli;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.stereotype.Component;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders help: the overview groups commands by topic in the order a user meets them; a command's
 * help gives its synopsis (the {@code help} attribute of its {@code @Command}), description and options.
 */
@Component
public class HelpRenderer {

    /** Topics in the order the overview shows them; others follow alphabetically. */
    static final List<String> TOPICS = List.of("Inventory", "Measure", "Optimize", "Rollout", "Runtime", "Playbooks", "Demo", "History",
            "Shell");

    private final ObjectProvider<CommandRegistry> registry;

    public HelpRenderer(ObjectProvider<CommandRegistry> registry) {
        this.registry = registry;
    }

    public String overview() {
        Map<String, List<Command>> byTopic = new TreeMap<>(Comparator
                .comparingInt((String t) -> TOPICS.contains(t) ? TOPICS.indexOf(t) : TOPICS.size())
                .thenComparing(t -> t));
        for (Command command : visibleCommands()) {
            byTopic.computeIfAbsent(topic(command), t -> new java.util.ArrayList<>()).add(command);
        }
        int width = visibleCommands().stream().mapToInt(c -> synopsis(c).length()).max().orElse(10);
        StringBuilder out = new StringBuilder();
        byTopic.forEach((topic, commands) -> {
            out.append(topic).append('\n');
            commands.stream().sorted(Comparator.comparing(Command::getName)).forEach(c ->
                    out.append("  ").append(String.format("%-" + width + "s", synopsis(c)))
                            .append("  ").append(firstSentence(c.getDescription())).append('\n'));
            out.append('\n');
        });
        out.append("help COMMAND (or COMMAND --help) describes one command and its options.\n");
        out.append("Every command takes --no-color, and --debug (an internal error prints its stack trace); listings take\n"
                + "-o json|yaml|wide|name (--json is -o json). NO_COLOR or TERM=dumb turn colour off.\n");
        out.append("One-shot: fleetshell COMMAND [OPTIONS] exits 0 (ok), 1 (failed or a gate held), 2 (bad input).");
        return out.toString();
    }

    public String forCommand(Command command) {
        StringBuilder out = new StringBuilder();
        out.append("Usage: ").append(synopsis(command)).append("\n\n");
        out.append(command.getDescription()).append('\n');
        List<CommandOption> options = command.getOptions();
        if (!options.isEmpty()) {
            out.append("\nOptions:\n");
            int width = options.stream().mapToInt(o -> optionLabel(o).length()).max().orElse(0);
            for (CommandOption option : options) {
                out.append("  ").append(String.format("%-" + width + "s", optionLabel(option))).append("  ")
                        .append(option.description() == null ? "" : option.description());
                if (option.defaultValue() != null && !option.defaultValue().isEmpty()) {
                    out.append(" (default: ").append(option.defaultValue()).append(')');
                }
                out.append('\n');
            }
            if (options.stream().anyMatch(o -> "json".equals(o.longName()))) {
                out.append("  ").append(String.format("%-" + width + "s", "-o, --output FORMAT")).append("  ")
                        .append("json, yaml, wide (every column in full) or name (one name per line); --json is -o json\n");
            }
        }
        return out.toString().stripTrailing();
    }

    public List<Command> visibleCommands() {
        return registry.getObject().getCommands().stream().filter(c -> !CommandLineParser.isInternal(c)).toList();
    }

    /** Spring Shell's own quit and clear belong with the shell's commands. */
    private static String topic(Command command) {
        return command.getGroup().equals("Built-In Commands") ? "Shell" : command.getGroup();
    }

    /**
     * The overview's one line: the description up to its first sentence end, colon or semicolon outside
     * parentheses; {@code help COMMAND} shows the rest.
     */
    static String firstSentence(String description) {
        int depth = 0;
        int end = description.length();
        for (int i = 0; i + 1 < description.length(); i++) {
            char c = description.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (depth == 0 && (c == '.' || c == ':' || c == ';') && description.charAt(i + 1) == ' ') {
                end = i;
                break;
            }
        }
        String head = description.substring(0, end).strip();
        return head.endsWith(".") ? head : head + ".";
    }

    private static String synopsis(Command command) {
        String help = command.getHelp();
        return help == null || help.isBlank() || help.startsWith(command.getName() + "(") ? command.getName() : help;
    }

    private static String optionLabel(CommandOption option) {
        String label = "--" + option.longName();
        return CommandLineParser.isFlag(option) ? label : label + " " + option.longName().toUpperCase().replace('-', '_');
    }
}
