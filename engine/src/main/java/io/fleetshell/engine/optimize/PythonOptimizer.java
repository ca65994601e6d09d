package io.fleetshell.engine.optimize;

import io.fleetshell.engine.InParallel;
import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.python.pattern.DeferHeavyImports;
import io.fleetshell.engine.python.pattern.LineMap;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternChain;
import io.fleetshell.engine.python.pattern.RemoveUnusedImports;
import io.fleetshell.engine.python.pattern.MemoizePureFunctions;
import io.fleetshell.engine.python.proof.AgentRuns;
import io.fleetshell.engine.python.Interpreters;
import io.fleetshell.engine.python.proof.CacheProof;
import io.fleetshell.engine.python.proof.ReplayRequests;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.python.Prover;
import io.fleetshell.engine.python.proof.ProofSite;
import io.fleetshell.engine.host.FileStat;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Language;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.python.Profiler;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.engine.python.PythonScorer;
import java.util.HashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Python agents' optimizer: scores them from the facts their own interpreter reports, rewrites one
 * (refusing infrastructure agents, missing scripts and files that do not parse, with file:line; the
 * patterns run in the order given on the result of the one before), proves the combined rewrite with
 * {@link Prover} and profiles module loads with {@link Profiler}. Reads the agent's file; never writes it
 * (a written rewrite's proof loads the original from a hidden sibling, see {@link #originalCopy}).
 */
public final class PythonOptimizer implements AgentOptimizer<FileFacts> {

    private final PythonFacts facts;
    private final Set<String> sideEffectModules;
    private final Prover prover;
    private final Path bytecodeCache;
    /** Each machine's host (null: every machine is this computer, with {@link #bytecodeCache}). */
    private final Hosts hosts;
    /** Each machine's proof site, asked once per command: on a remote host that is a round trip. */
    private final Map<String, ProofSite> sites = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> versions = new java.util.concurrent.ConcurrentHashMap<>();
    /** Each machine's interpreter resolved once (not its pyenv shim): every load, proof and probe below starts that file. */
    private final Interpreters interpreters = new Interpreters();

    /**
     * @param facts             the analysis runner
     * @param sideEffectModules modules whose imports are never deferred or removed (configurable in settings.yaml)
     * @param prover            the prover, or null to skip proofs
     */
    public PythonOptimizer(PythonFacts facts, Set<String> sideEffectModules, Prover prover) {
        this(facts, sideEffectModules, prover, null);
    }

    /** @param bytecodeCache where profiled loads keep their bytecode ({@code PYTHONPYCACHEPREFIX}), or null for none */
    public PythonOptimizer(PythonFacts facts, Set<String> sideEffectModules, Prover prover, Path bytecodeCache) {
        this(facts, sideEffectModules, prover, bytecodeCache, null);
    }

    /**
     * @param hosts each machine's host: scripts are read, analyzed, rewritten and proved on the agent's machine (null:
     *              every machine is this computer)
     */
    public PythonOptimizer(PythonFacts facts, Set<String> sideEffectModules, Prover prover, Path bytecodeCache, Hosts hosts) {
        this.facts = facts;
        this.sideEffectModules = Set.copyOf(sideEffectModules);
        this.prover = prover;
        this.bytecodeCache = bytecodeCache;
        this.hosts = hosts;
    }

    /** The machine's host: this computer, or the remote machine its {@code ssh:} settings reach. */
    Host host(Machine machine) {
        return hosts == null || machine == null ? THIS_COMPUTER : hosts.of(machine);
    }

    /** Where the machine's proofs, replays and analyses of rewrites run (a shared module's proof over its dependents too). */
    public ProofSite site(Machine machine) {
        if (hosts == null || machine == null) {
            return ProofSite.thisComputer(bytecodeCache);
        }
        return sites.computeIfAbsent(machine.name(), name -> ProofSite.of(hosts.of(machine)));
    }

    private static final Host THIS_COMPUTER = new LocalHost("local", Path.of(System.getProperty("java.io.tmpdir")));

    @Override
    public Language language() {
        return Language.PYTHON;
    }

    @Override
    public List<Pattern<FileFacts>> patterns() {
        return PythonPatterns.all();
    }

    /** The machine's python as configured: the plan line asks the host nothing (the result names what it resolved to). */
    @Override
    public String runner(Agent agent, Machine machine) {
        return machine == null ? Machine.DEFAULT_PYTHON : machine.python();
    }

    @Override
    public String runsNoun() {
        return "paired loads (up to 4x while the sequential test cannot decide)";
    }

    @Override
    public String runtimeLabel(String version) {
        return Language.PYTHON.runtimeLabel(version);
    }

    @Override
    public Pattern<FileFacts> pattern(String id) {
        return PythonPatterns.byId(id);
    }

    /** One interpreter process per machine's interpreter analyzes all of its agents' scripts. */
    @Override
    public List<AgentScore> score(Inventory inventory, List<Agent> agents, Function<Agent, MeasuredLoad> baselines) {
        Map<AgentId, FileFacts> analyzed = analyze(inventory, agents);
        return agents.stream().map(agent -> {
            FileFacts agentFacts = analyzed.get(agent.id());
            MeasuredLoad baseline = baselines.apply(agent);
            String note = Baselines.staleNote(agent, baseline, agentFacts != null, agentFacts == null ? null : agentFacts.sha256(), "script");
            MeasuredLoad used = note == null ? baseline : null;
            return PythonScorer.score(agent, agentFacts, used == null ? null : used.profile(), used == null ? 0 : used.version(), note);
        }).toList();
    }

    /**
     * The static facts of the agents' scripts that exist, one interpreter process per machine (more for many files);
     * machines on different hosts at once, up to their {@code forks} (a fleet of many remote hosts would otherwise add
     * up their round trips), machines of one host one after another.
     */
    public Map<AgentId, FileFacts> analyze(Inventory inventory, List<Agent> agents) {
        Map<String, List<Agent>> byMachine = new LinkedHashMap<>();
        for (Agent agent : agents) {
            if (agent.script().found() && !agent.infrastructure()) {
                byMachine.computeIfAbsent(agent.machine(), m -> new ArrayList<>()).add(agent);
            }
        }
        Map<AgentId, FileFacts> analyzed = new java.util.concurrent.ConcurrentHashMap<>();
        List<String> names = List.copyOf(byMachine.keySet());
        List<Machine> machines = names.stream().map(name -> inventory.machine(name).orElse(null)).toList();
        InParallel.byGroup(names, name -> inventory.machine(name).map(Machine::host).orElse("this computer"),
                Machine.forks(machines.stream().filter(java.util.Objects::nonNull).toList()), name -> {
                    Machine machine = inventory.machine(name).orElse(null);
                    Host host = host(machine);
                    // a FIFO, device, directory or link in a script's place is refused by the helper before it opens it
                    List<Agent> group = byMachine.get(name);
                    // started as the agents are, from the fleet root with the machine's environment: the helper resolves the
                    // machine's python itself, with no question of its own first (over ssh, one session per host)
                    PythonFacts.Interpreter python = machine == null ? PythonFacts.Interpreter.named(python(null))
                            : new PythonFacts.Interpreter(machine.python(), machine.fleetRoot(), machine.environment());
                    List<Path> files = group.stream().map(a -> a.script().path()).toList();
                    List<FileFacts> results = files.isEmpty() ? List.of() : facts.analyzeInParallel(host, python, files, sideEffectModules,
                            ownPaths(machine), Runtime.getRuntime().availableProcessors());
                    for (int i = 0; i < group.size(); i++) {
                        analyzed.put(group.get(i).id(), results.get(i));
                    }
                    return name;
                }, "analyzing the agents' scripts");
        return new HashMap<>(analyzed);
    }

    /** Each machine's agents are loaded on its host (one machine after another), into that host's bytecode cache. */
    @Override
    public List<Measurement> profile(Inventory inventory, List<Agent> agents, int runs, int parallel, Duration timeout,
                                     Consumer<AgentProfile> done) {
        Map<String, List<Agent>> byMachine = new LinkedHashMap<>();
        agents.forEach(agent -> byMachine.computeIfAbsent(agent.machine(), m -> new ArrayList<>()).add(agent));
        Map<AgentId, Measurement> measured = new HashMap<>();
        for (Map.Entry<String, List<Agent>> entry : byMachine.entrySet()) {
            Machine machine = inventory.machine(entry.getKey()).orElseThrow();
            ProofSite site = site(machine);
            Map<ProfileTarget, String> scriptSha256 = new HashMap<>();
            List<ProfileTarget> targets = new ArrayList<>();
            for (Agent agent : entry.getValue()) {
                ProfileTarget target = new ProfileTarget(agent.id(), agent.script().path(), python(machine), machine.fleetRoot(),
                        machine.environment());
                targets.add(target);
                // the checksum says which script the samples measured: taken before, not after, the loads
                try {
                    scriptSha256.put(target, Checksums.sha256(site.host().read(target.script(), SafeFiles.SCRIPT_LIMIT)));
                } catch (IOException e) {
                    throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot read %s on %s: %s".formatted(target.script(), site,
                            e.getMessage()), e);
                }
            }
            try (Profiler profiler = new Profiler(timeout, site.host(), site.bytecodeCache())) {
                profiler.profileAll(targets, runs, parallel, done)
                        .forEach(p -> measured.put(p.target().agent(), new Measurement(p, scriptSha256.get(p.target()))));
            }
        }
        return agents.stream().map(a -> measured.get(a.id())).toList();
    }

    /** The hidden sibling that holds the original while a written rewrite is proved against it; recovery removes it. */
    public static Path originalCopy(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".fleetshell-original" + io.fleetshell.engine.process.Leftovers.mark() + "copy.py");
    }

    /** The Prover loads the original from {@link #originalCopy}, since the agent's file already holds the rewrite. */
    @Override
    public Proof proveWritten(Agent agent, Machine machine, Rewrite rewrite, ProofHints hints) {
        Path copy = originalCopy(rewrite.file());
        ProofSite site = site(machine);
        try {
            site.host().writeFresh(copy, rewrite.before());
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot write %s on %s to prove the rewrite: %s".formatted(copy, site,
                    e.getMessage()), e);
        }
        try {
            ProfileTarget target = new ProfileTarget(agent.id(), copy, python(machine), machine.fleetRoot(), machine.environment());
            Proof proof = prover.prove(new Prover.Subject(target, new Rewrite(rewrite.pattern(), copy, rewrite.before(),
                    rewrite.after(), rewrite.notes()), hints.deferredNames(), hints.removedNames(), null, ReplayRequests.of(agent), site));
            return proof.withoutSkipped(ProofCheck.AGENT_TESTS);
        } finally {
            site.remove(copy); // what stays, recovery removes (Recovery.leftovers)
        }
    }

    @Override
    public Optimization optimize(Agent agent, Machine machine, List<Pattern<FileFacts>> patterns) {
        Optimizable.require(agent, "script");
        Path script = agent.script().path();
        byte[] original = read(machine, script);
        PythonFacts.Batch analyzed = analyze(machine, script, ownPaths(machine));
        String python = python(machine);
        FileFacts current = analyzed.files().getFirst();
        if (!current.parsed()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s:%s: %s. %s is not optimized until the file parses under %s; nothing was changed."
                    .formatted(script, current.error().line(), current.error(), agent.id(), python));
        }
        String version = version(machine, python);
        Map<String, String> base = new LinkedHashMap<>(Map.of(DeferHeavyImports.OPTION_MODULE_KINDS, moduleKinds(analyzed)));
        List<String> requests = ReplayRequests.of(agent);
        if (patterns.stream().anyMatch(p -> p instanceof MemoizePureFunctions) && !requests.isEmpty()
                && !MemoizePureFunctions.candidates(current).isEmpty()) {
            // the cache's benefit is measured before it is proposed: a replay of the agent's requests with call counting
            ProfileTarget target = new ProfileTarget(agent.id(), script, python, machine.fleetRoot(), machine.environment());
            AgentRuns.Run replay = new CacheProof(new AgentRuns(site(machine), Duration.ofSeconds(60))).measure(target, requests,
                    MemoizePureFunctions.candidates(current));
            if (replay.ok()) {
                Map<String, MemoizePureFunctions.Measured> measured = new LinkedHashMap<>();
                replay.counts().forEach((name, c) -> measured.put(name, new MemoizePureFunctions.Measured(c.calls(), c.distinct(), c.totalMillis())));
                base.put(MemoizePureFunctions.OPTION_CALL_COUNTS, MemoizePureFunctions.option(measured));
            } else {
                base.put(MemoizePureFunctions.OPTION_CALL_COUNTS_FAILED, replay.failure());
            }
        }
        FileRewrite chained = chain(machine, agent.id().toString(), script, original, current, version, base, patterns, ownPaths(machine));
        Rewrite combined = chained.rewrite();
        Map<String, Applicability> applicability = chained.applicability();
        List<List<String>> deferred = List.of(chained.deferredNames());
        List<String> removed = chained.removedNames();
        Proof proof = null;
        if (prover != null && combined.changes()) {
            ProfileTarget target = new ProfileTarget(agent.id(), script, python, machine.fleetRoot(), machine.environment());
            proof = prover.prove(new Prover.Subject(target, combined, deferred.getFirst(), removed, agent.commands().test(), requests, site(machine)));
        }
        return new Optimization(agent, python, version, applicability, combined, deferred.getFirst(), removed, proof);
    }

    /**
     * What the patterns made of one file, before any proof.
     *
     * @param version       the interpreter's version the patterns wrote for
     * @param applicability what each pattern said, in the order run
     * @param rewrite       the combined rewrite
     * @param deferredNames what lazy_loading defers, as attribute paths from the module
     * @param removedNames  module-level names dependency_reduction removes
     */
    public record FileRewrite(String version, Map<String, Applicability> applicability, Rewrite rewrite, List<String> deferredNames,
                              List<String> removedNames) {
        public FileRewrite {
            applicability = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(applicability));
            deferredNames = List.copyOf(deferredNames);
            removedNames = List.copyOf(removedNames);
        }
    }

    /**
     * Runs the patterns on a module of the fleet's own code that several agents import (issue 14), the way
     * {@link #optimize} runs them on an agent's script: the same analysis under the machine's interpreter, the same
     * module kinds, the same byte-exact edits and notes. {@code options} add to what the patterns are told (what the
     * module's importers read through it, where the lazy helper lives). Reads the file; writes nothing; proves nothing.
     *
     * @throws FleetshellException {@link ErrorCode#BAD_INPUT} when the file does not parse, with file:line
     */
    public FileRewrite rewriteModule(Machine machine, Path file, List<Pattern<FileFacts>> patterns, Map<String, String> options) {
        byte[] original = read(machine, file);
        List<Path> own = new ArrayList<>(ownPaths(machine));
        own.add(machine.fleetRoot().toAbsolutePath().normalize());
        PythonFacts.Batch analyzed = analyze(machine, file, own);
        String python = python(machine);
        FileFacts current = analyzed.files().getFirst();
        if (!current.parsed()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s:%s: %s. The module is not optimized until it parses under %s; nothing was changed."
                    .formatted(file, current.error().line(), current.error(), python));
        }
        String version = version(machine, python);
        Map<String, String> base = new LinkedHashMap<>(options);
        base.put(DeferHeavyImports.OPTION_MODULE_KINDS, moduleKinds(analyzed));
        return chain(machine, file.toString(), file, original, current, version, base, patterns, own);
    }

    /** The patterns in turn; after a rewrite they still report lines of the original, through the line map. */
    private FileRewrite chain(Machine machine, String name, Path file, byte[] original, FileFacts current, String version,
                              Map<String, String> base, List<Pattern<FileFacts>> patterns, List<Path> own) {
        String python = python(machine);
        PatternChain<FileFacts> chain = new PatternChain<>(bytes -> analyzeBytes(machine, python, file, bytes, own), bytes -> Arrays.equals(bytes, original)
                ? base : withLineMap(base, LineMap.between(original, bytes)), true);
        List<List<String>> deferred = new ArrayList<>(List.of(List.of()));
        List<String> removed = new ArrayList<>();
        PatternChain.Result chained = chain.apply(name, file, original, current, version, patterns, (pattern, input, rewrite) -> {
            if (pattern instanceof DeferHeavyImports lazy) {
                deferred.set(0, lazy.deferredNames(input));
            }
            if (pattern instanceof RemoveUnusedImports dead && rewrite.changes()) {
                removed.addAll(dead.removedNames(input));
            }
        });
        return new FileRewrite(version, chained.applicability(), chained.rewrite(), deferred.getFirst(), removed);
    }

    private static Map<String, String> withLineMap(Map<String, String> base, String lineMap) {
        Map<String, String> options = new LinkedHashMap<>(base);
        options.put(LineMap.OPTION, lineMap);
        return options;
    }

    /**
     * The file's facts and what its imports load ({@link #moduleKinds}), from one process on the machine's host: the
     * machine's python started as the agents start it (fleet root, environment), so it also says what that name resolves
     * to ({@link Interpreters#remember}) and its version (kept for {@link #version}): the command asks neither again
     * (over ssh, two sessions fewer).
     */
    private PythonFacts.Batch analyze(Machine machine, Path file, List<Path> ownPaths) {
        Host host = host(machine);
        PythonFacts.Batch batch = facts.analyzeWithVersion(host, new PythonFacts.Interpreter(machine.python(), machine.fleetRoot(),
                        machine.environment()), file, new PythonFacts.ModuleKinds(null, machine.fleetRoot(), machine.environment(),
                        Duration.ofSeconds(60)), sideEffectModules, ownPaths, PythonFacts.defaultTimeout(1));
        interpreters.remember(host, machine, batch.executable());
        keepVersion(host, python(machine), batch);
        return batch;
    }

    private FileFacts keepVersion(Host host, String python, PythonFacts.Batch batch) {
        if (batch.python() != null && !batch.python().isBlank()) {
            versions.putIfAbsent(versionKey(host, python), batch.python());
        }
        return batch.files().getFirst();
    }

    /** The interpreter's version, asked on the machine's host once per command (the analysis of the script already told it). */
    private String version(Machine machine, String python) {
        Host host = host(machine);
        return versions.computeIfAbsent(versionKey(host, python), key -> facts.version(host, python));
    }

    private static String versionKey(Host host, String python) {
        return host.name() + "\0" + host.describe() + "\0" + python;
    }

    /** The machine's interpreter resolved on its host. */
    private String python(Machine machine) {
        return interpreters.of(host(machine), machine);
    }

    /**
     * Where the machine's agents find the fleet's own modules besides their own directory: its PYTHONPATH entries
     * (relative ones against the fleet root, where loads run). Imports of modules found there are side-effecting
     * unless shown to be definitions only (issue 17).
     */
    List<Path> ownPaths(Machine machine) {
        String pythonPath = machine == null ? null : machine.environment().get("PYTHONPATH");
        if (pythonPath == null || pythonPath.isBlank()) {
            return List.of();
        }
        List<Path> entries = Arrays.stream(pythonPath.split(":")).filter(p -> !p.isBlank()).map(p -> machine.fleetRoot().resolve(p).normalize())
                .distinct().toList();
        try {
            Map<Path, java.util.Optional<Host.Found>> found = host(machine).statAll(entries);
            // a directory, or a link to one (real path present): what the interpreter would search
            return entries.stream().filter(p -> found.get(p).filter(f -> f.stat().type() == FileStat.Type.DIRECTORY
                    || (f.stat().type() == FileStat.Type.SYMLINK && f.real() != null)).isPresent()).toList();
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot look for the PYTHONPATH directories of machine %s on %s: %s"
                    .formatted(machine.name(), host(machine).describe(), e.getMessage()), e);
        }
    }

    /**
     * Facts of rewritten bytes, as if they stood at the agent's file (analysis is static): they travel on the helper's
     * stdin, so nothing is written on the machine's host for it. Own modules are looked up beside the agent's file, as
     * for the file itself.
     */
    private FileFacts analyzeBytes(Machine machine, String python, Path script, byte[] source, List<Path> ownPaths) {
        Host host = host(machine);
        return keepVersion(host, python, facts.analyzeSource(host, python, script, source, sideEffectModules, ownPaths,
                PythonFacts.defaultTimeout(1)));
    }

    /**
     * What each module-level import of the file loads, asked of the agent's interpreter in the agent's environment
     * (LAZY_IMPORTS.md) by the analysis's own process ({@link PythonFacts.ModuleKinds}): {@code preloaded} (in sys.modules
     * when the interpreter starts), {@code source} (a Python module that can load lazily), {@code native} (built-in or C
     * extension: nothing to gain), {@code attribute} (a from-import of something that is not a submodule), {@code missing}.
     * Packages above a dotted name are imported by the probe (never the module itself), in its own process. Empty when
     * the question failed: every from-import then stays eager, with its reason (safe, only less gain).
     */
    private static String moduleKinds(PythonFacts.Batch analyzed) {
        Map<String, String> kinds = analyzed.moduleKinds() == null ? Map.of() : analyzed.moduleKinds();
        return kinds.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }


    /** The script's bytes, read on the machine's host inside its fleet root there (a shared module's helper is read so too). */
    public byte[] read(Machine machine, Path script) {
        return HostScripts.read(host(machine), machine, script);
    }
}
