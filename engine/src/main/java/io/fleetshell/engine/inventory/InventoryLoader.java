package io.fleetshell.engine.inventory;

import io.fleetshell.engine.host.FileStat;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.host.SshSettings;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one startup config file into a {@link LoadedConfig}: reads it, expands its values, names its
 * machine, resolves every script inside the fleet root and marks infrastructure agents. Either the
 * whole file loads or an exception says why nothing did.
 */
public final class InventoryLoader {

    /** Agents that keep the fleet observable; they stay in the inventory and are never optimized. */
    public static final Set<String> DEFAULT_INFRASTRUCTURE =
            Set.of("ObservabilityHub", "EnhancedObservabilityHub", "UnifiedObservabilityCenter", "ServiceRegistry");

    /** Larger than this is no startup config (the largest real one seen is about 60 kB). */
    public static final int MAX_CONFIG_BYTES = 8 << 20;
    /** Agent and machine names become file names (logs, pid files): nothing that could leave a directory. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern CODE_DIRECTORY = Pattern.compile("(.+)_code");
    /** Environment variables whose values are paths, checked for existence at load. */
    private static final Pattern PATH_VARIABLE = Pattern.compile(".*PATH|.*_(DIR|HOME|ROOT)");

    private final Map<String, String> environment;
    private final Set<String> infrastructure;
    private final Map<String, MachineOverride> machines;
    private final Hosts hosts;
    private final StartupConfigReader reader = new StartupConfigReader();

    /**
     * @param environment    the environment that {@code ${VAR}} references expand from
     * @param infrastructure names of infrastructure agents
     */
    public InventoryLoader(Map<String, String> environment, Set<String> infrastructure) {
        this(environment, infrastructure, Map.of());
    }

    /**
     * @param machines what settings.yaml overrides per machine name ({@code machines:})
     */
    public InventoryLoader(Map<String, String> environment, Set<String> infrastructure, Map<String, MachineOverride> machines) {
        this(environment, infrastructure, machines, null);
    }

    /**
     * @param hosts the transports of the machines; null: every machine is this computer, and a machine with
     *              {@code ssh:} settings is refused
     */
    public InventoryLoader(Map<String, String> environment, Set<String> infrastructure, Map<String, MachineOverride> machines, Hosts hosts) {
        this.environment = Map.copyOf(environment);
        this.infrastructure = Set.copyOf(infrastructure);
        this.machines = Map.copyOf(machines);
        this.hosts = hosts;
    }

    public LoadedConfig load(ConfigSource source) {
        Path file = source.file().toAbsolutePath().normalize();
        Host configHost = source.onMachine() ? configuredHost(source.machine()) : local(file);
        String text = readText(file, configHost);
        StartupConfig config = reader.read(file, text);

        String machineName = machineName(source, config, file);
        MachineOverride override = machines.getOrDefault(machineName, MachineOverride.NONE);
        SshAccess ssh = override.ssh() != null ? override.ssh() : config.globalSettings().containsKey("ssh")
                ? SshSettings.read(file, "global_settings", config.globalSettings(), key -> config.settingLines().getOrDefault(key, 0)) : null;
        String python = override.python() != null ? override.python() : python(config.globalSettings());
        Host host = ssh == null ? local(file) : remote(machineName, ssh, python, file);
        List<Notice> notices = new ArrayList<>(config.notices());
        List<StartupConfig.Entry> agentEntries = new ArrayList<>();
        for (StartupConfig.Entry entry : config.entries()) {
            if (entry.name() == null) {
                notices.add(new Notice(file, entry.line(), "entry under " + entry.group() + " has no name: skipped"));
            } else if (!(entry.fields().get("script_path") instanceof String path) || path.isBlank()) {
                notices.add(new Notice(file, entry.line(), notAnAgent(entry)));
            } else {
                requireSafeName(file, entry.line(), "agent", entry.name());
                agentEntries.add(entry);
            }
        }
        rejectDuplicateNames(file, agentEntries);

        Map<String, String> variables = withDefaults(config.globalSettings());
        // ${PWD} is where agents start: the fleet root. Until the root is known, the config's own directory stands in.
        Expander inferring = new Expander(with(variables, "PWD", file.getParent().toString()));
        if (source.root() == null && override.root() == null && ssh != null && !source.onMachine()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, ("%s describes machine %s, which is reached over ssh (%s), but the config is on this "
                    + "computer: fleetshell cannot guess the fleet root there. Set machines.%s.root in settings.yaml or pass --root, or load the "
                    + "config from the machine: inventory load %s:/PATH/TO/%s. Nothing was loaded.").formatted(file, machineName, ssh.describe(),
                    machineName, machineName, file.getFileName()));
        }
        Path root = source.root() != null ? source.root().toAbsolutePath().normalize()
                : override.root() != null ? override.root()
                : ScriptResolver.inferRoot(file, agentEntries.stream()
                        .map(e -> override.mapScriptPath(inferring.expand((String) e.fields().get("script_path")))).toList(), host);
        ScriptResolver resolver = new ScriptResolver(root, host);
        resolver.prefetch(agentEntries.stream().map(e -> override.mapScriptPath(new Expander(with(variables, "PWD", resolver.root().toString()))
                .expand((String) e.fields().get("script_path")))).toList());
        Expander expander = new Expander(with(variables, "PWD", resolver.root().toString()));

        List<Agent> agents = new ArrayList<>();
        for (StartupConfig.Entry entry : agentEntries) {
            warnUnset(file, entry.lineOf("script_path"), "script_path of " + entry.name(), (String) entry.fields().get("script_path"),
                    expander, notices);
            if (entry.fields().get("config") instanceof Map<?, ?> m) {
                unsetIn(m, expander).forEach(var -> notices.add(new Notice(file, entry.lineOf("config"), unsetMessage("config of " + entry.name(), var))));
            }
            Agent agent = toAgent(file, machineName, entry, expander, resolver, config.globalSettings(), override, ssh);
            if (agent.script().status() != ScriptResolution.Status.FOUND) {
                notices.add(new Notice(file, entry.line(), agent.name() + ": script " + agent.script().detail()));
            } else {
                resolver.unreadableScript(agent.script().path())
                        .ifPresent(why -> notices.add(new Notice(file, entry.lineOf("script_path"), agent.name() + ": script " + why)));
            }
            agents.add(agent);
        }
        notices.addAll(PortConflicts.within(agents));

        Map<String, String> env = environment(file, config, machineName, expander, override, resolver.root(), host, notices);
        Machine machine = new Machine(machineName, resolver.root(), python, env, healthCheck(config.globalSettings()), ssh);
        return new LoadedConfig(new ConfigSource(file, source.machine(), source.root(), source.onMachine()), text, Checksums.sha256(text),
                machine, agents, notices);
    }

    private static String notAnAgent(StartupConfig.Entry entry) {
        if (entry.fields().get("agents") instanceof List<?> || entry.fields().containsKey("description")) {
            return "%s in group %s has no script_path; with %s it describes other agents, not an agent: skipped".formatted(entry.name(),
                    entry.group(), entry.fields().get("agents") instanceof List<?> ? "an agents: list" : "a description:");
        }
        return entry.name() + " is not an agent (no script_path): skipped";
    }

    private static void requireSafeName(Path file, int line, String what, String name) {
        if (!SAFE_NAME.matcher(name).matches()) {
            throw StartupConfigReader.invalid(file, line, ("%s name '%s' is not a safe file name (fleetshell names log and pid files after it): "
                    + "use letters, digits, '.', '_' or '-', starting with a letter or digit, at most 128").formatted(what, name));
        }
    }

    private static Map<String, String> with(Map<String, String> variables, String name, String value) {
        Map<String, String> out = new HashMap<>(variables);
        out.put(name, value);
        return out;
    }

    private static void warnUnset(Path file, int line, String what, String raw, Expander expander, List<Notice> notices) {
        expander.unset(raw).forEach(var -> notices.add(new Notice(file, line, unsetMessage(what, var))));
    }

    private static String unsetMessage(String what, String variable) {
        return "%s uses ${%s}, which is not set and has no default, so it expands to \"\": set %s or write ${%s:-DEFAULT}"
                .formatted(what, variable, variable, variable);
    }

    private static List<String> unsetIn(Object value, Expander expander) {
        return switch (value) {
            case String s -> expander.unset(s);
            case Map<?, ?> m -> m.values().stream().flatMap(v -> unsetIn(v, expander).stream()).distinct().toList();
            case List<?> l -> l.stream().flatMap(v -> unsetIn(v, expander).stream()).distinct().toList();
            case null, default -> List.of();
        };
    }

    /**
     * The environment every agent of the machine gets: the config's {@code global_settings.environment} expanded, then
     * settings.yaml's {@code env:} over it, both with {@code path_map} applied. Path variables whose entries do not
     * exist here are warned about: a container path ({@code PYTHONPATH: /app}) is the usual cause of "No module named".
     */
    private static Map<String, String> environment(Path file, StartupConfig config, String machine, Expander expander, MachineOverride override,
                                                   Path root, Host host, List<Notice> notices) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        if (config.globalSettings().get("environment") instanceof Map<?, ?> declared) {
            declared.forEach((k, v) -> {
                String name = k.toString();
                int line = config.settingLines().getOrDefault("environment." + name, 1);
                lines.put(name, line);
                if (v != null) {
                    warnUnset(file, line, "environment variable " + name, v.toString(), expander, notices);
                }
                env.put(name, override.mapPathList(v == null ? "" : expander.expand(v.toString()), root));
            });
        }
        override.environment().forEach((name, value) -> {
            env.put(name, override.mapPathList(expander.expand(value), root));
            lines.remove(name);
        });
        Set<Path> entries = new java.util.LinkedHashSet<>();
        env.forEach((name, value) -> {
            if (PATH_VARIABLE.matcher(name).matches()) {
                for (String entry : value.split(java.io.File.pathSeparator)) {
                    if (!entry.isBlank() && (entry.startsWith("/") || entry.startsWith("."))) {
                        entries.add(root.resolve(entry));
                    }
                }
            }
        });
        Map<Path, java.util.Optional<Host.Found>> there;
        try {
            there = host.statAll(entries);
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "%s: cannot look at the path variables' entries on machine %s: %s"
                    .formatted(file, machine, e.getMessage()));
        }
        env.forEach((name, value) -> {
            if (!PATH_VARIABLE.matcher(name).matches() || value.isBlank()) {
                return;
            }
            for (String entry : value.split(java.io.File.pathSeparator)) {
                if (!entry.isBlank() && (entry.startsWith("/") || entry.startsWith(".")) && !exists(there, root.resolve(entry))) {
                    String where = lines.containsKey(name) ? "" : " (set by env: in settings.yaml)";
                    notices.add(new Notice(file, lines.getOrDefault(name, 0), ("%s entry %s does not exist on this machine%s; agents will not find "
                            + "what is there. If it is a container path, map it to the fleet root in settings.yaml: machines: {%s: {path_map: {%s: .}}}, "
                            + "then inventory refresh").formatted(name, entry, where, machine,
                            entry)));
                }
            }
        });
        return env;
    }

    private Agent toAgent(Path file, String machine, StartupConfig.Entry entry, Expander expander, ScriptResolver resolver,
                          Map<String, Object> globalSettings, MachineOverride override, SshAccess ssh) {
        Map<String, Object> f = entry.fields();
        String scriptPath = override.mapScriptPath(expander.expand((String) f.get("script_path")));
        ScriptResolution script = resolver.resolve(scriptPath, entry.name(), file, entry.lineOf("script_path"));
        boolean infra = f.get("infrastructure") instanceof Boolean b ? b : infrastructure.contains(entry.name());
        Language language = language(file, entry, scriptPath);
        return new Agent(new AgentId(machine, entry.name()), entry.group(), scriptPath, script,
                f.get("host") == null ? null : expander.expand(f.get("host").toString()),
                port(file, entry, "port", expander), port(file, entry, "health_check_port", expander),
                f.get("required") instanceof Boolean b && b,
                dependencies(f.get("dependencies")),
                f.get("config") instanceof Map<?, ?> m ? expandAll(m, expander) : Map.of(),
                new AgentCommands(command(f.get("test_command"), expander),
                        command(f.getOrDefault("restart_command", globalSettings.get("restart_command")), expander)),
                infra, file, entry.line(), language,
                language == Language.JAVA ? javaLaunch(file, entry, expander, globalSettings, override, ssh) : null);
    }

    private static Language language(Path file, StartupConfig.Entry entry, String scriptPath) {
        Object declared = entry.fields().get("language");
        if (declared == null) {
            return Language.detect(scriptPath);
        }
        return Language.named(declared.toString()).orElseThrow(() -> StartupConfigReader.invalid(file, entry.lineOf("language"),
                "language of %s is '%s'; fleetshell runs python and java agents".formatted(entry.name(), declared)));
    }

    /**
     * The launcher: settings.yaml's {@code machines.NAME.java:}, else the entry's or {@code global_settings}' {@code java:},
     * else {@code java} on the PATH of a machine reached over ssh (the JDK fleetshell runs on is a path of this computer).
     */
    private static JavaLaunch javaLaunch(Path file, StartupConfig.Entry entry, Expander expander, Map<String, Object> globalSettings,
                                         MachineOverride override, SshAccess ssh) {
        Map<String, Object> f = entry.fields();
        Object java = override.javaLauncher() != null ? override.javaLauncher() : f.getOrDefault("java", globalSettings.get("java"));
        if (java == null && ssh != null) {
            java = JavaLaunch.ON_PATH;
        }
        return new JavaLaunch(text(f.get("main_class"), expander), text(f.get("source_root"), expander),
                list(file, entry, "classpath", expander), list(file, entry, "jvm_options", expander),
                text(java, expander), text(f.get("run_command"), expander));
    }

    private static String text(Object raw, Expander expander) {
        return raw == null || raw.toString().isBlank() ? null : expander.expand(raw.toString());
    }

    /** A list field, or a string of entries separated by the platform's path separator (classpath) or spaces. */
    private static List<String> list(Path file, StartupConfig.Entry entry, String field, Expander expander) {
        Object raw = entry.fields().get(field);
        return switch (raw) {
            case null -> List.of();
            case List<?> items -> items.stream().filter(java.util.Objects::nonNull).map(i -> expander.expand(i.toString())).toList();
            case String s -> java.util.Arrays.stream(expander.expand(s).split(field.equals("classpath") ? java.io.File.pathSeparator : "\\s+"))
                    .filter(e -> !e.isBlank()).toList();
            default -> throw StartupConfigReader.invalid(file, entry.lineOf(field),
                    "%s of %s must be a list or a string".formatted(field, entry.name()));
        };
    }

    private static String command(Object raw, Expander expander) {
        return raw == null || raw.toString().isBlank() ? null : expander.expand(raw.toString());
    }

    private static Integer port(Path file, StartupConfig.Entry entry, String field, Expander expander) {
        Object raw = entry.fields().get(field);
        if (raw == null) {
            return null;
        }
        long value;
        try {
            value = raw instanceof Long l ? l : raw instanceof java.math.BigInteger big ? big.longValueExact() : expander.integer(raw.toString());
        } catch (ArithmeticException e) { // a number too large for any port
            throw StartupConfigReader.invalid(file, entry.lineOf(field), "%s of %s is %s, outside 1-65535"
                    .formatted(field, entry.name(), raw));
        } catch (NumberFormatException e) {
            throw StartupConfigReader.invalid(file, entry.lineOf(field), "%s of %s is '%s', which expands to '%s', not a number; use an integer or ${VAR}+N"
                    .formatted(field, entry.name(), raw, e.getMessage()));
        }
        if (value < 1 || value > 65535) {
            throw StartupConfigReader.invalid(file, entry.lineOf(field), "%s of %s is %d, outside 1-65535"
                    .formatted(field, entry.name(), value));
        }
        return (int) value;
    }

    private static List<String> dependencies(Object raw) {
        if (raw instanceof List<?> list) {
            return list.stream().filter(java.util.Objects::nonNull).map(Object::toString).toList();
        }
        return raw == null ? List.of() : List.of(raw.toString());
    }

    private Map<String, String> withDefaults(Map<String, Object> globalSettings) {
        Map<String, String> env = new HashMap<>();
        if (globalSettings.get("environment") instanceof Map<?, ?> declared) {
            declared.forEach((k, v) -> {
                // A declared value that is itself a reference (LOG_LEVEL: ${LOG_LEVEL:-INFO}) is not a
                // default: kept here, it expanded to its own unexpanded text, which agents then received.
                if (v != null && !v.toString().contains("${")) {
                    env.put(k.toString(), v.toString());
                }
            });
        }
        env.putAll(environment); // the real environment wins over the config's declared values
        return env;
    }

    private static String python(Map<String, Object> globalSettings) {
        for (String key : List.of("python", "python_executable", "interpreter")) {
            if (globalSettings.get(key) instanceof String s && !s.isBlank()) {
                return s;
            }
        }
        return Machine.DEFAULT_PYTHON;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> healthCheck(Map<String, Object> globalSettings) {
        for (String key : List.of("health_checks", "health_check")) {
            if (globalSettings.get(key) instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
        }
        return Map.of();
    }

    private static Map<String, Object> expandAll(Map<?, ?> map, Expander expander) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k.toString(), expandValue(v, expander)));
        return out;
    }

    private static Object expandValue(Object value, Expander expander) {
        return switch (value) {
            case String s -> expander.expand(s);
            case Map<?, ?> m -> expandAll(m, expander);
            case List<?> l -> l.stream().map(v -> expandValue(v, expander)).toList();
            case null -> null;
            default -> value;
        };
    }

    private static String machineName(ConfigSource source, StartupConfig config, Path file) {
        String name = source.machine();
        if (name == null) {
            name = config.machineKey();
        }
        if (name == null) {
            for (Path dir = file.getParent(); dir != null && dir.getFileName() != null; dir = dir.getParent()) {
                Matcher m = CODE_DIRECTORY.matcher(dir.getFileName().toString());
                if (m.matches()) {
                    name = m.group(1).replace("_", "");
                    break;
                }
            }
        }
        if (name == null) {
            name = "local";
        }
        if (!SAFE_NAME.matcher(name).matches()) {
            if (source.machine() != null) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, ("machine name '%s' given with --machine is not a safe file name (fleetshell names files after it): "
                        + "use letters, digits, '.', '_' or '-', starting with a letter or digit").formatted(name));
            }
            requireSafeName(file, config.machineLine(), "machine", name);
        }
        return name;
    }

    private static void rejectDuplicateNames(Path file, List<StartupConfig.Entry> entries) {
        Map<String, StartupConfig.Entry> seen = new HashMap<>();
        for (StartupConfig.Entry entry : entries) {
            StartupConfig.Entry first = seen.putIfAbsent(entry.name(), entry);
            if (first != null) {
                throw StartupConfigReader.invalid(file, entry.line(), "agent %s is listed twice (first at line %d); rename or remove one"
                        .formatted(entry.name(), first.line()));
            }
        }
    }

    /** Whether something is at an entry of a path variable (a symlink counts). */
    private static boolean exists(Map<Path, java.util.Optional<Host.Found>> there, Path entry) {
        return there.getOrDefault(entry, java.util.Optional.empty()).isPresent();
    }

    private Host configuredHost(String machine) {
        return (hosts == null ? java.util.Optional.<Host>empty() : hosts.configured(machine)).orElseThrow(() -> new FleetshellException(ErrorCode.BAD_INPUT,
                ("machine %s has no ssh: setting, so fleetshell cannot read a config on it. Add it to settings.yaml: machines: {%s: {ssh: user@host, "
                        + "root: /srv/fleet}}, or load a config on this computer. Nothing was loaded.").formatted(machine, machine)));
    }

    private Host local(Path file) {
        return hosts == null ? new LocalHost("local", file.getParent()) : hosts.local();
    }

    private Host remote(String machine, SshAccess ssh, String python, Path file) {
        if (hosts == null) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s: machine %s is reached over ssh, which this load cannot do".formatted(file, machine));
        }
        return hosts.of(machine, ssh, python);
    }

    private static String readText(Path file, Host host) {
        String where = host.onMachine();
        try {
            java.util.Optional<Host.Found> found = host.statAll(List.of(file)).get(file);
            if (found.isEmpty() || found.get().real() == null) {
                throw new FleetshellException(ErrorCode.FILE_NOT_FOUND,
                        "startup config " + file + where + " does not exist; check the path");
            }
            Path real = found.get().real();
            FileStat target = found.get().stat().type() == FileStat.Type.SYMLINK ? host.stat(real).orElseThrow(
                    () -> new java.nio.file.NoSuchFileException(real.toString())) : found.get().stat();
            if (!target.regular()) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, file + where + " is not a file; name a startup config YAML file");
            }
            long size = target.size();
            if (size > MAX_CONFIG_BYTES) {
                throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s is too large for a startup config: %.1f MB, the limit is %d MB. Nothing was loaded from it."
                        .formatted(file, size / 1048576.0, MAX_CONFIG_BYTES >> 20));
            }
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(host.read(real, MAX_CONFIG_BYTES))).toString();
        } catch (CharacterCodingException e) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, file + " is not UTF-8 text; save it as UTF-8. Nothing was loaded from it.");
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot read " + file + where + ": " + e.getMessage());
        }
    }
}
