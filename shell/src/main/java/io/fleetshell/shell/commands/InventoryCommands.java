package io.fleetshell.shell.commands;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryDiff;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.JavaLaunch;
import io.fleetshell.engine.inventory.LoadEnvironment;
import io.fleetshell.engine.inventory.MachineOverride;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.PortConflicts;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.JsonObject;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code inventory load|list|show|env|refresh|unload}: the fleet as its startup configs describe it. */
@Component
public class InventoryCommands {

    static final String GROUP = "Inventory";

    private final ShellSession session;

    public InventoryCommands(ShellSession session) {
        this.session = session;
    }

    @Journaled
    @Command(name = {"inventory", "load"}, group = GROUP, help = "inventory load FILE|MACHINE:/PATH... [--machine NAME] [--root DIR] [--json]",
            completionProvider = "pathCompletion",
            description = "Read startup configs into the inventory. Both the agent_groups: and the <machine>_services: "
                    + "formats; all files load or none does. MACHINE:/PATH reads a config on a machine that settings.yaml "
                    + "reaches over ssh (machines: MACHINE: ssh:).")
    public void load(@Arguments List<String> files,
                     @Option(longName = "machine", description = "machine name for these configs (default: from the config or its directory)") String machine,
                     @Option(longName = "root", description = "fleet root that script paths resolve against (default: nearest ancestor holding the scripts)") String root,
                     @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (files == null || files.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name at least one startup config: inventory load FILE...");
        }
        List<ConfigSource> sources = files.stream().map(f -> source(f, machine, root)).toList();
        apply(sources, json, "loaded");
    }

    /** {@code MACHINE:/PATH} names a file on a machine reached over ssh; anything else is a file on this computer. */
    private static final java.util.regex.Pattern ON_MACHINE = java.util.regex.Pattern.compile("([A-Za-z0-9][A-Za-z0-9_.-]{0,127}):(/.*)");

    private ConfigSource source(String file, String machine, String root) {
        java.util.regex.Matcher remote = ON_MACHINE.matcher(file);
        boolean configured = remote.matches() && session.settings().machines().containsKey(remote.group(1))
                && session.settings().machines().get(remote.group(1)).ssh() != null;
        if (remote.matches() && (configured || !Files.exists(Path.of(file)))) {
            if (machine != null && !machine.equals(remote.group(1))) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "%s is on machine %s, but --machine says %s; drop --machine or make them agree"
                        .formatted(file, remote.group(1), machine));
            }
            return new ConfigSource(Path.of(remote.group(2)).normalize(), remote.group(1), root == null ? null : Path.of(root).normalize(), true);
        }
        return new ConfigSource(Path.of(file).toAbsolutePath().normalize(), machine, root == null ? null : Path.of(root).toAbsolutePath().normalize());
    }

    @Journaled
    @Command(name = {"inventory", "refresh"}, group = GROUP, help = "inventory refresh [--json]",
            description = "Re-read the loaded startup configs. Reports the agents added, removed and changed.")
    public void refresh(@Option(longName = "json", description = "print JSON on stdout") boolean json) {
        List<ConfigSource> sources = session.inventoryStore().sources();
        if (sources.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "no startup configs loaded yet; run inventory load FILE or demo init");
        }
        apply(sources, json, "refreshed");
    }

    @Journaled
    @Command(name = {"inventory", "unload"}, group = GROUP, help = "inventory unload FILE",
            completionProvider = "pathCompletion",
            description = "Remove a startup config's agents from the inventory. Its snapshots stay in history.")
    public void unload(@Argument(index = 0) String file) {
        if (file.isBlank()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name the startup config to unload: inventory unload FILE");
        }
        java.util.regex.Matcher remote = ON_MACHINE.matcher(file);
        Path path = remote.matches() && !Files.exists(Path.of(file)) ? Path.of(remote.group(2)).normalize() : Path.of(file).toAbsolutePath().normalize();
        Inventory before = session.inventoryStore().inventory();
        if (session.inventoryStore().sources().stream().noneMatch(s -> s.file().equals(path))) {
            throw new FleetshellException(ErrorCode.UNKNOWN_NAME, path + " is not loaded; inventory sources are: "
                    + String.join(", ", session.inventoryStore().sources().stream().map(s -> s.file().toString()).toList()));
        }
        session.inventoryStore().forget(path);
        InventoryDiff diff = InventoryDiff.between(before, session.inventoryStore().inventory());
        session.journal().summary("unloaded " + path + ": " + diff.removed().size() + " agents removed");
        session.journal().agents(diff.removed().stream().map(Agent::id).toList());
        session.output().println("Unloaded %s: %d agents removed.".formatted(path, diff.removed().size()));
    }

    @Command(name = {"inventory", "list"}, group = GROUP, help = "inventory list [--machine M] [--json]",
            description = "List the agents of the fleet, by machine.")
    public void list(@Option(longName = "machine", description = "only this machine's agents") String machine,
                     @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        Output out = session.output();
        Inventory inventory = session.inventoryStore().inventory();
        List<Agent> agents = machine == null ? inventory.agents()
                : inventory.onMachine(AgentLookup.machine(inventory, machine).name());
        if (json) {
            out.json(Map.of("agents", agents.stream().map(a -> AgentView.of(a, inventory)).toList()));
            return;
        }
        if (agents.isEmpty()) {
            out.info("The inventory is empty. Run demo init for the demo fleet, or inventory load FILE for yours.");
            return;
        }
        TextTable table = new TextTable("MACHINE", "AGENT", "GROUP", "LANG", "PORT", "HEALTH", "SCRIPT", "NOTES")
                .path("SCRIPT").note("NOTES").optional("GROUP", "HEALTH");
        for (Agent a : agents) {
            table.row(a.machine(), a.name(), a.group(), a.language().id(), a.port(), a.healthCheckPort(), scriptColumn(a, inventory), notes(a));
        }
        out.table(table);
        long machines = agents.stream().map(Agent::machine).distinct().count();
        out.info("%d agents on %d machine%s.".formatted(agents.size(), machines, machines == 1 ? "" : "s"));
        PortConflicts.within(agents).forEach(n -> out.warn(n.toString()));
    }

    @Command(name = {"inventory", "show"}, group = GROUP, help = "inventory show AGENT [--json]",
            completionProvider = "agentCompletion",
            description = "Show one agent in full. Its config entry, resolved script, ports and flags; AGENT is a name or machine/name.")
    public void show(@Argument(index = 0) String name,
                     @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (name.isBlank()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name the agent: inventory show AGENT");
        }
        Inventory inventory = session.inventoryStore().inventory();
        Agent a = AgentLookup.agent(inventory, name);
        Output out = session.output();
        if (json) {
            out.json(AgentView.of(a, inventory));
            return;
        }
        TextTable table = new TextTable("FIELD", "VALUE").note("VALUE");
        table.row("agent", a.id())
                .row("group", a.group())
                .row("script_path", a.scriptPath())
                .row("script", a.script().found() ? a.script().path() : "(not found)")
                .row("resolution", a.script().status().name().toLowerCase() + ": " + a.script().detail())
                .row("host", a.host())
                .row("port", a.port())
                .row("health_check_port", a.healthCheckPort())
                .row("required", a.required())
                .row("dependencies", a.dependencies().isEmpty() ? "none" : String.join(", ", a.dependencies()))
                .row("infrastructure", a.infrastructure() ? "yes (never optimized)" : "no")
                .row("language", a.language().id());
        if (a.java() == null) {
            table.row("python", inventory.machine(a.machine()).map(Machine::python).orElse(Machine.DEFAULT_PYTHON));
        } else {
            table.row("java", a.java().java() == null ? a.java().launcher() + " (fleetshell's JDK)" : a.java().java())
                    .row("main_class", a.java().mainClass() == null ? "(from the source)" : a.java().mainClass())
                    .row("source_root", a.java().sourceRoot() == null ? "(single file)" : a.java().sourceRoot())
                    .row("classpath", a.java().classpath().isEmpty() ? "(JDK only)" : String.join(java.io.File.pathSeparator, a.java().classpath()));
            if (!a.java().jvmOptions().isEmpty()) {
                table.row("jvm_options", String.join(" ", a.java().jvmOptions()));
            }
            if (a.java().runCommand() != null) {
                table.row("run_command", a.java().runCommand());
            }
        }
        table.row("defined in", a.configFile() + ":" + a.configLine());
        a.config().forEach((k, v) -> table.row("config." + k, v));
        out.table(table);
    }

    @Command(name = {"inventory", "env"}, group = GROUP, help = "inventory env AGENT [--json]",
            completionProvider = "agentCompletion",
            description = "Show what a load, proof or start of AGENT runs with: the interpreter, the working directory (the fleet "
                    + "root), the environment fleetshell sets (from the config, settings.yaml machines: or inherited) and the "
                    + "sys.path the interpreter builds from them, asked on the agent's machine (over ssh for a remote one). Entries marked missing do not exist there.")
    public void env(@Argument(index = 0) String name,
                    @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (name.isBlank()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name the agent: inventory env AGENT");
        }
        Inventory inventory = session.inventoryStore().inventory();
        Agent a = AgentLookup.agent(inventory, name);
        Machine machine = inventory.machine(a.machine()).orElseThrow();
        LoadEnvironment env = LoadEnvironment.of(a, machine, session.hosts().of(machine),
                session.settings().machines().getOrDefault(machine.name(), MachineOverride.NONE),
                machine.ssh() == null ? session.environment() : Map.of());
        Output out = session.output();
        if (json) {
            out.json(JsonObject.of("agent", a.id().toString(), "interpreter", env.interpreter(), "executable", env.executable(),
                    "working_directory", env.workingDirectory().toString(), "environment", env.variables(), "sys_path", env.sysPath(),
                    "problem", env.problem()));
            return;
        }
        out.println("%s: %s".formatted(a.id(), a.script().found() ? a.script().path() : "script " + a.script().detail()));
        out.println("interpreter:       " + env.interpreter() + (env.executable() == null ? "" : " -> " + env.executable()));
        out.println("working directory: " + env.workingDirectory() + " (the fleet root; ${PWD} in the config expands to it)");
        if (env.variables().isEmpty()) {
            out.println("environment:       fleetshell's own, nothing set by the config or settings.yaml");
        } else {
            TextTable vars = new TextTable("VARIABLE", "VALUE", "FROM").note("VALUE");
            env.variables().forEach(v -> vars.row(v.name(), v.value(), v.origin()));
            out.println("");
            out.table(vars);
        }
        if (!env.sysPath().isEmpty()) {
            TextTable path = new TextTable("#", "SYS.PATH ENTRY", "").path("SYS.PATH ENTRY");
            int i = 0;
            for (LoadEnvironment.PathEntry entry : env.sysPath()) {
                path.row(i++, entry.path().isEmpty() ? "'' (the working directory)" : entry.path(), entry.exists() ? "" : "missing");
            }
            out.println("");
            out.table(path);
            long missing = env.sysPath().stream().filter(e -> !e.exists()).count();
            if (missing > 0) {
                out.warn(("%d sys.path %s not exist on this machine: imports from there fail with \"No module named\". A container "
                        + "path is mapped with settings.yaml machines: {%s: {path_map: {/app: .}}}, then inventory refresh.")
                        .formatted(missing, missing == 1 ? "entry does" : "entries do", machine.name()));
            }
        }
        if (env.problem() != null) {
            out.warn(env.problem());
        }
    }

    /** Loads the configs, all or none, saves them and reports what changed; shared with demo init. */
    void apply(List<ConfigSource> sources, boolean json, String verb) {
        Output out = session.output();
        InventoryLoader loader = new InventoryLoader(session.environment(), session.settings().infrastructureAgents(),
                session.settings().machines(), session.hosts());
        List<LoadedConfig> loaded = new ArrayList<>();
        for (ConfigSource source : sources) {
            try {
                loaded.add(loader.load(source)); // the first bad file stops everything: nothing is saved
            } catch (FleetshellException e) {
                if (verb.equals("refreshed") && e.code() == ErrorCode.FILE_NOT_FOUND) {
                    throw new FleetshellException(e.code(), e.getMessage() + ". If it was removed on purpose: inventory unload "
                            + source.describe() + ". Nothing was refreshed.", e);
                }
                throw e;
            }
        }
        Inventory before = session.inventoryStore().inventory();
        session.inventoryStore().saveAll(loaded);
        Inventory after = session.inventoryStore().inventory();
        InventoryDiff diff = InventoryDiff.between(before, after);

        Set<String> notices = new LinkedHashSet<>();
        loaded.forEach(l -> l.notices().forEach(n -> notices.add(n.toString())));
        Set<String> touched = new LinkedHashSet<>();
        loaded.forEach(l -> touched.add(l.machine().name()));
        touched.forEach(m -> PortConflicts.within(after.onMachine(m)).forEach(n -> notices.add(n.toString())));

        int agentCount = loaded.stream().mapToInt(l -> l.agents().size()).sum();
        session.journal().summary("%s %d config%s: %d agents (%d added, %d removed, %d changed)".formatted(verb, loaded.size(),
                loaded.size() == 1 ? "" : "s", agentCount, diff.added().size(), diff.removed().size(), diff.changed().size()));
        loaded.forEach(l -> session.journal().agents(l.agents().stream().map(Agent::id).toList()));

        if (json) {
            out.json(new LoadView(loaded.stream().map(ConfigView::of).toList(), diff.added().stream().map(Agent::id).toList(),
                    diff.removed().stream().map(Agent::id).toList(), diff.changed(), diff.machinesChanged(), List.copyOf(notices)));
            return;
        }
        for (LoadedConfig l : loaded) {
            long infra = l.agents().stream().filter(Agent::infrastructure).count();
            long elsewhere = l.agents().stream().filter(a -> a.script().status() == ScriptResolution.Status.FOUND_ELSEWHERE).count();
            long missing = l.agents().stream().filter(a -> !a.script().found()).count();
            out.sentence("%s %s: machine %s, %d agents (%d infrastructure%s%s), root %s".formatted(
                    capitalize(verb), l.source().describe(), l.machine().name(), l.agents().size(), infra,
                    elsewhere > 0 ? ", " + elsewhere + " script found elsewhere" : "",
                    missing > 0 ? ", " + missing + " script not found" : "",
                    l.machine().fleetRoot()));
        }
        if (!before.isEmpty() || verb.equals("refreshed")) {
            out.println(describe(diff));
        }
        notices.forEach(out::warn);
    }

    private static String describe(InventoryDiff diff) {
        if (diff.isEmpty()) {
            return "No agents added, removed or changed, and no machine settings changed.";
        }
        List<String> parts = new ArrayList<>();
        for (InventoryDiff.MachineChange change : diff.machinesChanged()) {
            parts.add("machine %s: %s (every agent of %s sees it)".formatted(change.machine(), String.join("; ", change.changes()), change.machine()));
        }
        if (!diff.added().isEmpty()) {
            parts.add("added " + String.join(", ", diff.added().stream().map(a -> a.id().toString()).toList()));
        }
        if (!diff.removed().isEmpty()) {
            parts.add("removed " + String.join(", ", diff.removed().stream().map(a -> a.id().toString()).toList()));
        }
        for (InventoryDiff.Change change : diff.changed()) {
            parts.add("changed " + change.id() + " (" + String.join(", ", change.fields()) + ")");
        }
        return capitalize(String.join("; ", parts)) + ".";
    }

    /** What {@code inventory load|refresh --json} prints: the configs read and what they changed. */
    record LoadView(List<ConfigView> configs, List<AgentId> added, List<AgentId> removed, List<InventoryDiff.Change> changed,
                    List<InventoryDiff.MachineChange> machinesChanged, List<String> notices) {
    }

    /** One startup config as loaded: its file, machine, fleet root, checksum and number of agents. */
    record ConfigView(String file, String machine, String root, String sha256, int agents) {
        static ConfigView of(LoadedConfig l) {
            return new ConfigView(l.source().file().toString(), l.machine().name(), l.machine().fleetRoot().toString(), l.sha256(),
                    l.agents().size());
        }
    }

    /**
     * One agent of {@code inventory list|show --json}: its entry with the script resolved, and the interpreter of a
     * Python agent ({@code python}) or the launch of a Java one ({@code java}), never both.
     */
    record AgentView(String name, String machine, String group, String scriptPath, String script, String scriptStatus,
                     String scriptDetail, String host, Integer port, Integer healthCheckPort, boolean required,
                     List<String> dependencies, boolean infrastructure, String language, @JsonInclude(Include.NON_NULL) String python,
                     @JsonInclude(Include.NON_NULL) JavaLaunch java, Map<String, Object> config, String configFile, int configLine) {
        static AgentView of(Agent a, Inventory inventory) {
            String python = a.java() != null ? null : inventory.machine(a.machine()).map(Machine::python).orElse(Machine.DEFAULT_PYTHON);
            return new AgentView(a.name(), a.machine(), a.group(), a.scriptPath(), a.script().found() ? a.script().path().toString() : null,
                    a.script().status().name().toLowerCase(), a.script().detail(), a.host(), a.port(), a.healthCheckPort(), a.required(),
                    a.dependencies(), a.infrastructure(), a.language().id(), python, a.java(), a.config(), a.configFile().toString(),
                    a.configLine());
        }
    }

    private static String scriptColumn(Agent a, Inventory inventory) {
        if (!a.script().found()) {
            return "NOT FOUND: " + a.scriptPath();
        }
        Path root = inventory.machine(a.machine()).map(Machine::fleetRoot).orElse(null);
        return root != null && a.script().path().startsWith(root) ? root.relativize(a.script().path()).toString()
                : a.script().path().toString();
    }

    private static String notes(Agent a) {
        List<String> notes = new ArrayList<>();
        if (a.infrastructure()) {
            notes.add("infrastructure");
        }
        if (a.required()) {
            notes.add("required");
        }
        if (a.script().status() == ScriptResolution.Status.FOUND_ELSEWHERE) {
            notes.add("script moved");
        }
        return String.join(", ", notes);
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

}
