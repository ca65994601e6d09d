package io.fleetshell.engine.python.graph;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.NameSuggestions;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Language;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.ImportFact;
import io.fleetshell.engine.python.analysis.PythonFacts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which of the fleet's own modules each Python agent loads, and who imports each of them from where. Built from
 * static facts only (the analysis helper run over the agents' scripts and, round after round, over the own modules
 * they import), so it answers without a profile. An import resolves the way the agent's interpreter finds it: beside
 * the agent's script (a script's directory is first on its {@code sys.path}), on the machine's PYTHONPATH, then at
 * the fleet root, where fleets put their shared packages on {@code sys.path} themselves; only files under the
 * machine's fleet root count as the fleet's own code. Imports under {@code if TYPE_CHECKING:} never run and are left
 * out; imports inside functions are kept (the agent loads the module when the function runs) and marked as such on
 * their {@link ImportEdge}. Each machine's files are read where they are, on its {@link Host}: the helper runs there, and
 * on a machine reached over ssh its fleet root (and PYTHONPATH directories) is listed once ({@link Host#files}) rather
 * than asked about path by path. A machine that cannot be reached leaves its agents out, with the reason
 * ({@link #unreached()}).
 */
public final class ImportGraph {

    private final List<Agent> agents;
    private final List<Path> fleetRoots;
    private final Map<Path, FleetModule> modules;
    private final Map<Path, FileFacts> facts;
    private final Map<Path, List<ImportEdge>> edgesFrom;
    private final Map<AgentId, Set<Path>> loads;
    private final Map<String, String> unreached;
    private final Map<Path, java.time.Instant> modified;

    private ImportGraph(List<Agent> agents, List<Path> fleetRoots, Map<Path, FleetModule> modules, Map<Path, FileFacts> facts,
                        Map<Path, List<ImportEdge>> edgesFrom, Map<AgentId, Set<Path>> loads, Map<String, String> unreached,
                        Map<Path, java.time.Instant> modified) {
        this.agents = List.copyOf(agents);
        this.fleetRoots = List.copyOf(fleetRoots);
        this.modules = Collections.unmodifiableMap(modules);
        this.facts = Collections.unmodifiableMap(facts);
        this.edgesFrom = Collections.unmodifiableMap(edgesFrom);
        this.loads = Collections.unmodifiableMap(loads);
        this.unreached = Collections.unmodifiableMap(unreached);
        this.modified = Collections.unmodifiableMap(modified);
    }

    /** {@link #build(Inventory, Hosts, PythonFacts, Set)} with every machine on this computer. */
    public static ImportGraph build(Inventory inventory, PythonFacts pythonFacts, Set<String> sideEffectModules) {
        return build(inventory, null, pythonFacts, sideEffectModules);
    }

    /**
     * Analyzes the inventory's Python agents whose script was found and every own module they import, directly or
     * transitively: one helper process per machine and round, on the machine's host, a round per level of imports newly
     * found.
     *
     * @param hosts             each machine's host (null: every machine is this computer)
     * @param sideEffectModules modules whose imports are kept for their side effects (as for {@link PythonFacts})
     */
    public static ImportGraph build(Inventory inventory, Hosts hosts, PythonFacts pythonFacts, Set<String> sideEffectModules) {
        Map<String, Layout> layouts = new TreeMap<>();
        Map<String, String> unreached = new TreeMap<>();
        for (Machine machine : inventory.machines()) {
            Host host = hosts == null ? new LocalHost(machine.name(), root(machine)) : hosts.of(machine);
            try {
                layouts.put(machine.name(), Layout.of(host, machine));
            } catch (IOException e) {
                unreached.put(machine.name(), e.getMessage());
            }
        }
        List<Agent> agents = inventory.agents().stream()
                .filter(a -> a.language() == Language.PYTHON && a.script().found() && layouts.containsKey(a.machine()))
                .toList();
        Map<Path, FileFacts> facts = new LinkedHashMap<>();
        Map<String, Set<Path>> pending = new TreeMap<>();
        for (Agent agent : agents) {
            pending.computeIfAbsent(agent.machine(), m -> new LinkedHashSet<>()).add(script(agent));
        }
        Walk walk;
        do {
            for (Map.Entry<String, Set<Path>> batch : pending.entrySet()) {
                Machine machine = inventory.machine(batch.getKey()).orElseThrow();
                Layout layout = layouts.get(machine.name());
                List<Path> files = batch.getValue().stream().filter(f -> !facts.containsKey(f)).toList();
                List<Path> own = new ArrayList<>(layout.ownPaths(machine));
                own.add(root(machine));
                List<FileFacts> analyzed = pythonFacts.analyze(layout.host(), new PythonFacts.Interpreter(machine.python(), root(machine),
                        machine.environment()), files, sideEffectModules, own, PythonFacts.defaultTimeout(files.size()));
                for (int i = 0; i < files.size(); i++) {
                    facts.put(files.get(i), analyzed.get(i));
                }
            }
            walk = new Walk(inventory, layouts, facts);
            agents.forEach(walk::agent);
            pending = walk.missing;
        } while (!pending.isEmpty());
        Walk done = walk;
        List<Path> roots = inventory.machines().stream().map(ImportGraph::root).distinct().toList();
        Map<Path, List<ImportEdge>> edgesFrom = new LinkedHashMap<>();
        done.edges.forEach(edge -> edgesFrom.computeIfAbsent(edge.importer(), f -> new ArrayList<>()).add(edge));
        edgesFrom.replaceAll((file, edges) -> List.copyOf(edges));
        Map<Path, FileFacts> kept = new LinkedHashMap<>();
        facts.forEach((file, f) -> {
            if (done.modules.containsKey(file) || agents.stream().anyMatch(a -> script(a).equals(file))) {
                kept.put(file, f);
            }
        });
        return new ImportGraph(agents, roots, done.modules, kept, edgesFrom, done.loads, unreached, modified(agents, done.loads, layouts));
    }

    /** When each module file was last modified, asked of its machine's host in one round trip; a file it cannot tell is left out. */
    private static Map<Path, java.time.Instant> modified(List<Agent> agents, Map<AgentId, Set<Path>> loads, Map<String, Layout> layouts) {
        Map<String, Set<Path>> byMachine = new TreeMap<>();
        agents.forEach(a -> byMachine.computeIfAbsent(a.machine(), m -> new LinkedHashSet<>()).addAll(loads.getOrDefault(a.id(), Set.of())));
        Map<Path, java.time.Instant> modified = new java.util.HashMap<>();
        byMachine.forEach((machine, files) -> {
            try {
                layouts.get(machine).host().statAll(files).forEach((file, found) -> found.ifPresent(f -> modified.put(file, f.stat().mtime())));
            } catch (IOException e) {
                // not known: whoever asks takes the file as changed
            }
        });
        return modified;
    }

    /** When a module file the graph found was last modified, as its machine tells; empty when it could not tell. */
    public Optional<java.time.Instant> modified(Path file) {
        return Optional.ofNullable(modified.get(file.toAbsolutePath().normalize()));
    }

    /** The machines whose host could not be reached, each with why: their agents are not in the graph. */
    public Map<String, String> unreached() {
        return unreached;
    }

    /** The Python agents the graph covers (script found, machine reached), in inventory order. */
    public List<Agent> agents() {
        return agents;
    }

    /** Every own module some agent loads, by dotted name then file. */
    public List<FleetModule> modules() {
        return modules.values().stream().sorted(Comparator.comparing(FleetModule::name).thenComparing(FleetModule::file)).toList();
    }

    /**
     * The agents that import the module, directly or transitively (also through imports inside functions), in
     * inventory order.
     */
    public List<Agent> dependents(FleetModule module) {
        return agents.stream().filter(a -> loads.getOrDefault(a.id(), Set.of()).contains(module.file())).toList();
    }

    /** The own modules an agent loads, directly or transitively, by dotted name; empty for an agent not in the graph. */
    public List<FleetModule> modulesOf(Agent agent) {
        return loads.getOrDefault(agent.id(), Set.of()).stream().map(modules::get)
                .sorted(Comparator.comparing(FleetModule::name).thenComparing(FleetModule::file)).toList();
    }

    /** Every import statement that loads the module, in importer then line order. */
    public List<ImportEdge> importersOf(FleetModule module) {
        return edgesFrom.values().stream().flatMap(List::stream).filter(e -> e.target().file().equals(module.file()))
                .sorted(Comparator.comparing(ImportEdge::importer).thenComparingInt(ImportEdge::line)).toList();
    }

    /** The imports of a file (an agent's script or an own module) that load own modules, in source order. */
    public List<ImportEdge> importsOf(Path file) {
        return edgesFrom.getOrDefault(file.toAbsolutePath().normalize(), List.of());
    }

    /**
     * Whether the agent loads the module at start-up (through module-level imports only) without the given import
     * statements: what deferring those statements cannot take off its start-up, since another import loads it anyway.
     */
    public boolean loadsEagerlyWithout(Agent agent, FleetModule module, Set<ImportEdge> without) {
        Deque<Path> queue = new ArrayDeque<>(List.of(script(agent)));
        Set<Path> seen = new LinkedHashSet<>(queue);
        while (!queue.isEmpty()) {
            for (ImportEdge edge : edgesFrom.getOrDefault(queue.removeFirst(), List.of())) {
                if (!edge.atModuleLevel() || without.contains(edge)) {
                    continue;
                }
                if (edge.target().file().equals(module.file())) {
                    return true;
                }
                if (seen.add(edge.target().file())) {
                    queue.addLast(edge.target().file());
                }
            }
        }
        return false;
    }

    /** Every analyzed file, agents' scripts and own modules, with its facts, in the order they were analyzed. */
    public Map<Path, FileFacts> analyzed() {
        return facts;
    }

    /** The analysis helper's facts of an agent's script or an own module, when it was analyzed. */
    public Optional<FileFacts> facts(Path file) {
        return Optional.ofNullable(facts.get(file.toAbsolutePath().normalize()));
    }

    /**
     * The own module a user names: a dotted name ({@code common.base_agent}) or a path ({@code common/base_agent.py},
     * relative to a fleet root or absolute; a package directory stands for its {@code __init__.py}; a dotted name no
     * agent imports by is also read as a path under the fleet root). Empty when no agent loads such a module.
     *
     * @throws FleetshellException {@link ErrorCode#BAD_INPUT} when a dotted name names several files (different
     *                             import roots); the message lists their paths, which are unambiguous
     */
    public Optional<FleetModule> moduleOf(String nameOrPath) {
        String text = nameOrPath.strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.contains("/") || text.endsWith(".py")) {
            return byPath(text);
        }
        List<FleetModule> named = modules.values().stream().filter(m -> m.name().equals(text)).toList();
        if (named.isEmpty()) {
            // the dotted form of a path under the fleet root, e.g. main_pc_code.agents.helpers for a module the agents
            // import by a shorter name (found beside their scripts)
            String path = text.replace('.', '/');
            return byPath(path + ".py").or(() -> byPath(path + "/__init__.py"));
        }
        if (named.size() > 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT,
                    "Module '%s' names %d files the agents import: %s. Give the path of the one you mean instead."
                            .formatted(text, named.size(), String.join(", ", named.stream().map(m -> m.file().toString()).sorted().toList())));
        }
        return named.stream().findFirst();
    }

    /**
     * Like {@link #moduleOf(String)}, for a name the user typed: an unknown one is an error that suggests the nearest
     * known names.
     *
     * @throws FleetshellException {@link ErrorCode#UNKNOWN_NAME} when no agent loads such a module
     */
    public FleetModule module(String nameOrPath) {
        return moduleOf(nameOrPath).orElseThrow(() -> {
            List<String> known = modules.values().stream().map(FleetModule::name).distinct().toList();
            List<String> close = NameSuggestions.closest(nameOrPath, known, 3);
            String hint = known.isEmpty()
                    ? " No Python agent of the inventory imports a module of the fleet's own code."
                    : close.isEmpty() ? " Known modules: " + String.join(", ", known.stream().sorted().limit(10).toList()) + "."
                    : " Did you mean " + String.join(", ", close) + "?";
            return new FleetshellException(ErrorCode.UNKNOWN_NAME,
                    ("No agent imports a module '%s' of the fleet's own code (a dotted name such as common.base_agent, or a path "
                            + "under the fleet root).%s").formatted(nameOrPath, hint));
        });
    }

    private Optional<FleetModule> byPath(String text) {
        Path typed;
        try {
            typed = Path.of(text);
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
        List<Path> candidates = typed.isAbsolute() ? List.of(typed) : fleetRoots.stream().map(r -> r.resolve(typed)).toList();
        for (Path candidate : candidates) {
            Path file = candidate.normalize();
            FleetModule found = modules.get(file);
            if (found == null) {
                found = modules.get(file.resolve("__init__.py"));
            }
            if (found != null) {
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }

    /**
     * What the graph asks of a machine's files: whether a path is a regular file or a directory there. On this computer
     * each question is a stat, made only for the paths an import could mean; on a remote host a round trip per question
     * would add up to thousands, so its fleet root and PYTHONPATH directories are listed once and the answers read from
     * the listing (hidden directories and symlinked directories are not listed: the interpreter rarely imports from
     * them, and a module only found there is then not counted as the fleet's own).
     */
    private record Layout(Host host, Set<Path> files, Set<Path> directories) {

        static Layout of(Host host, Machine machine) throws IOException {
            if (host instanceof LocalHost) {
                return new Layout(host, null, null);
            }
            List<Path> tops = new ArrayList<>(List.of(root(machine)));
            pythonPath(machine).stream().filter(p -> !p.startsWith(root(machine))).forEach(tops::add);
            Set<Path> files = new java.util.HashSet<>();
            Set<Path> directories = new java.util.HashSet<>();
            for (Path top : tops) {
                // a directory that holds no file holds no module either: listing files is enough
                for (Path file : host.files(top, Set.of("__pycache__"))) {
                    Path normal = file.normalize();
                    files.add(normal);
                    for (Path d = normal.getParent(); d != null && d.startsWith(top) && directories.add(d); d = d.getParent()) {
                        // each directory between the file and the top, up to one already seen (its parents are in too)
                    }
                }
            }
            return new Layout(host, files, directories);
        }

        boolean isFile(Path path) {
            return files == null ? Files.isRegularFile(path) : files.contains(path.normalize());
        }

        boolean isDirectory(Path path) {
            return directories == null ? Files.isDirectory(path) : directories.contains(path.normalize());
        }

        /**
         * Where a machine's agents find the fleet's own modules besides their own directory and the fleet root: its
         * PYTHONPATH entries that are directories, relative ones against the fleet root (where agents run).
         */
        List<Path> ownPaths(Machine machine) {
            return pythonPath(machine).stream().filter(this::isDirectory).toList();
        }
    }

    private static List<Path> pythonPath(Machine machine) {
        String pythonPath = machine.environment().get("PYTHONPATH");
        if (pythonPath == null || pythonPath.isBlank()) {
            return List.of();
        }
        return Arrays.stream(pythonPath.split(":")).filter(p -> !p.isBlank()).map(p -> root(machine).resolve(p).normalize()).toList();
    }

    private static Path root(Machine machine) {
        return machine.fleetRoot().toAbsolutePath().normalize();
    }

    private static Path script(Agent agent) {
        return agent.script().path().toAbsolutePath().normalize();
    }

    /** One pass over every agent's imports with the facts known so far; files not analyzed yet are collected. */
    private static final class Walk {
        final Inventory inventory;
        final Map<String, Layout> layouts;
        final Map<Path, FileFacts> facts;
        final Map<Path, FleetModule> modules = new LinkedHashMap<>();
        final Set<ImportEdge> edges = new LinkedHashSet<>();
        final Map<AgentId, Set<Path>> loads = new LinkedHashMap<>();
        final Map<String, Set<Path>> missing = new TreeMap<>();

        Walk(Inventory inventory, Map<String, Layout> layouts, Map<Path, FileFacts> facts) {
            this.inventory = inventory;
            this.layouts = layouts;
            this.facts = facts;
        }

        void agent(Agent agent) {
            Machine machine = inventory.machine(agent.machine()).orElseThrow();
            Path fleetRoot = root(machine);
            Layout layout = layouts.get(machine.name());
            List<Path> search = new ArrayList<>();
            search.add(script(agent).getParent());
            search.addAll(layout.ownPaths(machine));
            search.add(fleetRoot);
            Set<Path> loaded = new LinkedHashSet<>();
            Deque<Path> queue = new ArrayDeque<>(List.of(script(agent)));
            Set<Path> seen = new LinkedHashSet<>(queue);
            while (!queue.isEmpty()) {
                Path file = queue.removeFirst();
                FileFacts f = facts.get(file);
                if (f == null) {
                    missing.computeIfAbsent(agent.machine(), m -> new LinkedHashSet<>()).add(file);
                    continue;
                }
                for (ImportFact fact : f.imports()) {
                    if (fact.typeChecking() || fact.future()) {
                        continue;
                    }
                    for (FleetModule target : resolve(layout, file, fact, search, fleetRoot)) {
                        modules.putIfAbsent(target.file(), target);
                        edges.add(new ImportEdge(file, modules.get(target.file()), fact));
                        loaded.add(target.file());
                        if (seen.add(target.file())) {
                            queue.addLast(target.file());
                        }
                    }
                }
            }
            loads.put(agent.id(), loaded);
        }

        /** The own files an import statement runs, outermost package first. */
        List<FleetModule> resolve(Layout layout, Path importer, ImportFact fact, List<Path> search, Path fleetRoot) {
            List<FleetModule> found = new ArrayList<>();
            if (fact.level() > 0) {
                FleetModule importing = modules.get(importer);
                if (importing == null) {
                    return found; // a relative import in a script fails at run time: nothing to follow
                }
                Path base = importer.getParent();
                for (int i = 1; i < fact.level() && base != null; i++) {
                    base = base.getParent();
                }
                if (base == null || !base.startsWith(importing.root())) {
                    return found;
                }
                String rest = fact.module().replaceFirst("^\\.+", "");
                List<String> parts = rest.isEmpty() ? List.of() : List.of(rest.split("\\."));
                Path init = base.resolve("__init__.py");
                if (layout.isFile(init)) {
                    found.add(module(importing.root(), init.normalize()));
                }
                found.addAll(walkParts(layout, base, parts, importing.root(), fleetRoot));
                addSubmodule(layout, found, fact, parts.isEmpty() ? base : base.resolve(String.join("/", parts)), importing.root(), fleetRoot);
                found.removeIf(m -> m.file().equals(importer) || !m.file().startsWith(fleetRoot));
                return found;
            }
            List<String> parts = List.of(fact.module().split("\\."));
            for (Path root : search) {
                List<FleetModule> files = walkParts(layout, root, parts, root, fleetRoot);
                if (!files.isEmpty()) {
                    found.addAll(files);
                    addSubmodule(layout, found, fact, root.resolve(String.join("/", parts)), root, fleetRoot);
                    found.removeIf(m -> m.file().equals(importer));
                    return found;
                }
            }
            return found;
        }

        /** {@code from pkg import name} where {@code name} is a submodule of the package loads that file too. */
        private void addSubmodule(Layout layout, List<FleetModule> found, ImportFact fact, Path packageDirectory, Path root, Path fleetRoot) {
            if (fact.kind() != ImportFact.Kind.FROM || fact.star() || fact.name() == null || !layout.isDirectory(packageDirectory)) {
                return;
            }
            Path file = packageDirectory.resolve(fact.name() + ".py");
            Path init = packageDirectory.resolve(fact.name()).resolve("__init__.py");
            Path submodule = layout.isFile(file) ? file : layout.isFile(init) ? init : null;
            if (submodule != null && submodule.normalize().startsWith(fleetRoot)) {
                found.add(module(root, submodule.normalize()));
            }
        }

        /**
         * The files {@code import a.b.c} runs under one root ({@code a/__init__.py}, {@code a/b/__init__.py},
         * {@code a/b/c.py}; namespace packages have no file), or none when the root does not hold the module.
         */
        private static List<FleetModule> walkParts(Layout layout, Path start, List<String> parts, Path root, Path fleetRoot) {
            List<FleetModule> files = new ArrayList<>();
            Path directory = start;
            for (int i = 0; i < parts.size(); i++) {
                Path base = directory.resolve(parts.get(i));
                if (layout.isDirectory(base)) {
                    Path init = base.resolve("__init__.py");
                    if (layout.isFile(init)) {
                        files.add(module(root, init.normalize()));
                    }
                    directory = base;
                } else if (i == parts.size() - 1 && layout.isFile(directory.resolve(parts.get(i) + ".py"))) {
                    files.add(module(root, directory.resolve(parts.get(i) + ".py").normalize()));
                } else {
                    return List.of();
                }
            }
            return files.stream().filter(m -> m.file().startsWith(fleetRoot)).toList();
        }

        private static FleetModule module(Path root, Path file) {
            Path relative = root.relativize(file);
            List<String> names = new ArrayList<>();
            relative.forEach(p -> names.add(p.toString()));
            String last = names.removeLast();
            if (!last.equals("__init__.py")) {
                names.add(last.substring(0, last.length() - ".py".length()));
            }
            return new FleetModule(String.join(".", names), file, root);
        }
    }
}
