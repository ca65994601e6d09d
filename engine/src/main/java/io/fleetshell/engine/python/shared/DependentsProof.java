package io.fleetshell.engine.python.shared;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.Progress;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.ShippedPrograms;
import io.fleetshell.engine.profile.LoadAverage;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.profile.Stats;
import io.fleetshell.engine.proof.EffectFloor;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.LoadRunner;
import io.fleetshell.engine.python.Profiler;
import io.fleetshell.engine.python.proof.ProofSite;
import io.fleetshell.engine.stats.SequentialSignTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Proves a change of a shared module of the fleet (a {@link ChangeSet}: the module, and the helper module it may
 * create) on the module itself and on every agent that imports it, directly or transitively (issue 14 item 3). The
 * change is applied to a temporary copy of the fleet root made on the dependents' machine (this computer, or one reached
 * over ssh: {@link ProofSite}), never to the fleet; each dependent is then loaded there from the fleet as it is and from
 * the copy, in fresh processes of its own interpreter, by the same {@code proof_check.py load} and {@link Profiler} loads
 * the per-agent {@code Prover} uses:
 * <ol>
 *   <li>the module: every file of the change compiles, and the module reads no name that nothing binds where the
 *       original did not ({@code proof_check.py static});</li>
 *   <li>per dependent, {@code loads}: it loads exactly as before, or fails exactly as before (same error type and
 *       message);</li>
 *   <li>per dependent, {@code same module names}: the agent's names and the shared module's names after the load are the
 *       original's (less the names {@code dependency_reduction} removed on purpose), and every module of the fleet's own
 *       code loaded both times holds the same values (the helper module the change adds, and its name in its package,
 *       are the change's own; a value that differs between two loads of the original, a time stamp, is not compared);</li>
 *   <li>per dependent, {@code agent tests}: its {@code test_command} passes in a copy of the fleet holding the change;</li>
 *   <li>over all dependents, {@code load time}: paired fresh-process loads per agent (original and changed fleet in
 *       turns, the order alternating within the pairs, one warm-up each), decided on CPU time as the Prover does. The
 *       pairs are combined across agents by a stratified sign test: each agent is a stratum whose pairs are compared
 *       only with each other, so agents that load in 50 ms and in 2 s weigh the same per pair and no agent's level
 *       leaks into another's; under "no gain" every pair is a win with probability at most 1/2 whatever its agent, so
 *       the total of wins over all strata is at most Binomial(N, 1/2) and its tail is an exact p-value. A test over the
 *       agents' medians (one number per agent) would need six or more dependents to reach p < 0.05 at all; the pairs
 *       reach it with the demo's three. Each dependent's before/after medians and wins are in the evidence.</li>
 * </ol>
 * One failed dependent makes the change not deployable, and the failure names that agent.
 */
public final class DependentsProof {

    /** The load-time check's name over the dependents. */
    public static final String LOAD_TIME = "load time over dependents";

    /**
     * One agent that imports the module, as it runs.
     *
     * @param agent       the agent
     * @param target      its script, interpreter, working directory (the fleet root) and environment
     * @param testCommand its {@code test_command}, or null
     */
    public record Dependent(Agent agent, ProfileTarget target, String testCommand) {
    }

    /**
     * What the proof found for one dependent.
     *
     * @param agent    the agent
     * @param checks   its checks, in order
     * @param loadTime its pairs: medians before and after (CPU and wall ms), wins, pairs
     * @param blame    of a joint change that breaks it: the module whose change alone breaks it ("common.metrics"), or
     *                 null (a change of one module, or none failed)
     */
    public record DependentResult(AgentId agent, List<ProofCheck> checks, Map<String, Object> loadTime, String blame) {
        public DependentResult {
            checks = List.copyOf(checks);
            loadTime = loadTime == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(loadTime));
        }

        public DependentResult(AgentId agent, List<ProofCheck> checks, Map<String, Object> loadTime) {
            this(agent, checks, loadTime, null);
        }

        public boolean passed() {
            return checks.stream().noneMatch(ProofCheck::failed);
        }
    }

    /**
     * The whole proof.
     *
     * @param module     the checks of the module itself
     * @param dependents one result per dependent, in the order given
     * @param loadTime   the combined load-time check, or null when an earlier failure stopped the proof
     */
    public record Result(List<ProofCheck> module, List<DependentResult> dependents, ProofCheck loadTime) {
        public Result {
            module = List.copyOf(module);
            dependents = List.copyOf(dependents);
        }

        /** Every check passed (or was skipped) and the load time dropped over the dependents. */
        public boolean deployable() {
            return module.stream().noneMatch(ProofCheck::failed) && !dependents.isEmpty()
                    && dependents.stream().allMatch(DependentResult::passed) && loadTime != null && !loadTime.failed();
        }

        /** The first failure, naming the dependent it happened on. */
        public Optional<String> firstFailure() {
            Optional<ProofCheck> own = module.stream().filter(ProofCheck::failed).findFirst();
            if (own.isPresent()) {
                return Optional.of("the module: " + own.get().detail());
            }
            for (DependentResult dependent : dependents) {
                Optional<ProofCheck> failed = dependent.checks().stream().filter(ProofCheck::failed).findFirst();
                if (failed.isPresent()) {
                    return Optional.of("dependent %s breaks%s: %s: %s".formatted(dependent.agent(), dependent.blame() == null ? ""
                            : " (" + dependent.blame() + ")", failed.get().name(), failed.get().detail()));
                }
            }
            if (dependents.isEmpty()) {
                return Optional.of("no agent imports the module, so no dependent shows what the change does");
            }
            return loadTime != null && loadTime.failed() ? Optional.of(loadTime.detail()) : Optional.empty();
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final int pairs;
    private final double alpha;
    private final EffectFloor floor;
    private final Duration loadTimeout;
    private final Duration testTimeout;
    private final Path bytecodeCache;

    /**
     * @param pairs         paired loads in all, spread evenly over the dependents and at least 2 each (0 skips the load-time
     *                      check: a proof of correctness only); the stratified test needs the total, not many per agent
     * @param alpha         the combined test's false-positive rate
     * @param floor         the least gain a pair counts as a win
     * @param loadTimeout   how long one load may take
     * @param testTimeout   how long one agent's tests may take
     * @param bytecodeCache where loads keep their bytecode ({@code PYTHONPYCACHEPREFIX})
     */
    public DependentsProof(int pairs, double alpha, EffectFloor floor, Duration loadTimeout, Duration testTimeout, Path bytecodeCache) {
        this.pairs = pairs;
        this.alpha = alpha;
        this.floor = floor;
        this.loadTimeout = loadTimeout;
        this.testTimeout = testTimeout;
        this.bytecodeCache = bytecodeCache;
    }

    /**
     * One module a change rewrites, as the proof needs it.
     *
     * @param name         its dotted name, as the agents import it
     * @param file         its file
     * @param removedNames its names {@code dependency_reduction} removes on purpose
     * @param dependents   the agents that import it (of a joint change: which dependents its change alone is tried on
     *                     when the joint change breaks one)
     * @param alone        its own files of the change (its rewrite and the helper it imports), or null for a change of
     *                     one module
     */
    public record ChangedModule(String name, Path file, List<String> removedNames, List<AgentId> dependents, ChangeSet alone) {
        public ChangedModule {
            removedNames = List.copyOf(removedNames);
            dependents = List.copyOf(dependents);
        }
    }

    /**
     * @param fleetRoot    the fleet root every file of the change and every dependent's script lies under
     * @param change       the change: the module's rewrite and the helper it may create
     * @param module       the shared module's file, and {@code moduleName} its dotted name as the agents import it
     * @param removedNames the module's names {@code dependency_reduction} removes on purpose
     * @param dependents   every agent that imports the module
     */
    public Result prove(Path fleetRoot, ChangeSet change, Path module, String moduleName, List<String> removedNames,
                        List<Dependent> dependents) {
        return prove(ProofSite.thisComputer(bytecodeCache), fleetRoot, change, module, moduleName, removedNames, dependents);
    }

    /** {@link #prove(Path, ChangeSet, Path, String, List, List)} on the machine {@code site} stands for. */
    public Result prove(ProofSite site, Path fleetRoot, ChangeSet change, Path module, String moduleName, List<String> removedNames,
                        List<Dependent> dependents) {
        return prove(site, fleetRoot, change, List.of(new ChangedModule(moduleName, module, removedNames,
                dependents.stream().map(d -> d.agent().id()).toList(), null)), dependents);
    }

    /**
     * Proves one change of several modules (a joint change: every module and the one helper they import) ONCE over the
     * union of their dependents: the module checks on every module file, the correctness checks on every dependent with
     * the whole change, one load-time test over all of them. When a dependent breaks and the change has several modules,
     * each module's change alone ({@link ChangedModule#alone}) is tried on that dependent (correctness only), so the
     * failure names the module as well as the agent.
     *
     * @param modules    the modules the change rewrites
     * @param dependents every agent that imports one of them, once each
     */
    public Result prove(Path fleetRoot, ChangeSet change, List<ChangedModule> modules, List<Dependent> dependents) {
        return prove(ProofSite.thisComputer(bytecodeCache), fleetRoot, change, modules, dependents);
    }

    /**
     * {@link #prove(Path, ChangeSet, List, List)} on the machine {@code site} stands for (this computer, or a machine
     * reached over ssh): the copy of the fleet root is made there in one operation ({@link io.fleetshell.engine.host.Host#copyTree}),
     * the checks and loads run there with the host's interpreter and bytecode cache ({@code proof_check.py} passed with
     * {@code -c}, its runs through one {@link LoadRunner} per sequence), and the copy is removed after, also after an
     * interrupt ({@link ProofSite#remove}); one a killed fleetshell left carries its owner's mark and is swept by the next
     * proof's {@code deploy recover} ({@link ProofSite#sweep}). One code path on this computer and on a remote one.
     */
    public Result prove(ProofSite site, Path fleetRoot, ChangeSet change, List<ChangedModule> modules, List<Dependent> dependents) {
        Path root = fleetRoot.toAbsolutePath().normalize();
        for (Rewrite file : change.files()) {
            if (!file.file().toAbsolutePath().normalize().startsWith(root)) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "%s is not under the fleet root %s: a shared module's change is proved in a "
                        .formatted(file.file(), root) + "copy of the fleet root; nothing was changed");
            }
        }
        Path copy = changedCopy(site, root, change);
        try {
            Set<Path> moduleFiles = new java.util.HashSet<>();
            modules.forEach(m -> moduleFiles.add(m.file().toAbsolutePath().normalize()));
            List<ProofCheck> own = moduleChecks(site, dependents.isEmpty() ? null : dependents.getFirst().target(), root, copy, change, moduleFiles);
            if (own.stream().anyMatch(ProofCheck::failed) || dependents.isEmpty()) {
                return new Result(own, List.of(), null);
            }
            List<DependentResult> results = new ArrayList<>();
            for (Dependent dependent : dependents) {
                Progress.update(dependent.agent().id(), "proving the shared module's change on this dependent: loads, names");
                DependentResult result = correctness(site, dependent, root, copy, modules, change);
                if (!result.passed() && modules.size() > 1) {
                    result = new DependentResult(result.agent(), result.checks(), result.loadTime(), blame(site, dependent, root, modules));
                }
                results.add(result);
            }
            if (results.stream().anyMatch(r -> !r.passed())) {
                return new Result(own, results, null);
            }
            List<DependentResult> timed = new ArrayList<>();
            int wins = 0;
            int total = 0;
            for (int i = 0; i < results.size(); i++) {
                DependentResult result = results.get(i);
                Dependent dependent = dependents.get(i);
                int each = pairs == 0 ? 0 : Math.max(2, (pairs + results.size() - 1) / results.size());
                Map<String, Object> times = each == 0 ? Map.of() : loadTimes(site, dependent, root, copy, each);
                wins += (int) times.getOrDefault("wins", 0);
                total += (int) times.getOrDefault("pairs", 0);
                List<ProofCheck> checks = new ArrayList<>(result.checks());
                Progress.update(dependent.agent().id(), "proving the shared module's change on this dependent: test_command");
                checks.add(agentTests(site, dependent, root, change));
                timed.add(new DependentResult(result.agent(), checks, times));
            }
            return new Result(own, timed, combined(timed, wins, total));
        } finally {
            dependents.forEach(d -> Progress.end(d.agent().id()));
            site.remove(copy);
        }
    }

    /**
     * Which module of a joint change breaks a dependent: each module's change alone that the agent imports, tried on it
     * in a copy of its own (loads and names only, since those failed with the whole change).
     */
    private String blame(ProofSite site, Dependent dependent, Path root, List<ChangedModule> modules) {
        List<String> alone = new ArrayList<>();
        for (ChangedModule module : modules) {
            if (module.alone() == null || !module.dependents().contains(dependent.agent().id())) {
                continue;
            }
            Path copy = changedCopy(site, root, module.alone());
            try {
                if (!correctness(site, dependent, root, copy, List.of(module), module.alone()).passed()) {
                    alone.add(module.name());
                }
            } finally {
                site.remove(copy);
            }
        }
        return alone.isEmpty() ? "no module's change alone breaks it: the modules' changes break it together"
                : "the change of %s breaks it alone".formatted(String.join(" and of ", alone));
    }

    /** Compiles and undefined names of every file of the change that is Python source ({@code proof_check.py static}). */
    private List<ProofCheck> moduleChecks(ProofSite site, ProfileTarget any, Path root, Path copy, ChangeSet change, Set<Path> modules) {
        List<ProofCheck> checks = new ArrayList<>();
        if (any == null) {
            return checks;
        }
        List<Rewrite> files = change.changed();
        List<List<String>> args = new ArrayList<>();
        for (Rewrite file : files) {
            Path changed = copy.resolve(root.relativize(file.file().toAbsolutePath().normalize()).toString());
            Path original = file.createsFile() ? changed : file.file();
            args.add(List.of("static", original.toString(), changed.toString()));
        }
        List<ProcessResult> runs = checks(site, any, root, args);
        for (int i = 0; i < files.size(); i++) {
            Rewrite file = files.get(i);
            JsonNode both = JSON.readTree(report(any, runs.get(i), "static check"));
            JsonNode rewritten = both.path("rewritten");
            String name = file.file().getFileName().toString();
            if (!rewritten.path("compiles").asBoolean()) {
                checks.add(new ProofCheck("compiles", ProofCheck.Outcome.FAILED, "%s does not compile under %s: %s at line %s".formatted(
                        name, any.python(), rewritten.path("error").asString(""), rewritten.path("line").asString("?")), null));
                return checks;
            }
            checks.add(new ProofCheck("compiles", ProofCheck.Outcome.PASSED, name + " compiles under " + any.python(), Map.of("file", file.file().toString())));
            if (modules.contains(file.file().toAbsolutePath().normalize())) {
                Set<String> added = strings(rewritten.path("undefined"));
                added.removeAll(strings(both.path("original").path("undefined")));
                Map<String, Object> evidence = Map.of("added", List.copyOf(added));
                checks.add(added.isEmpty()
                        ? new ProofCheck("no new undefined name", ProofCheck.Outcome.PASSED, "every name the rewritten %s reads is bound"
                                .formatted(modules.size() == 1 ? "module" : name), evidence)
                        : new ProofCheck("no new undefined name", ProofCheck.Outcome.FAILED, "the rewritten %s reads names nothing binds: "
                                .formatted(modules.size() == 1 ? "module" : name) + String.join(", ", added), evidence));
            }
        }
        return checks;
    }

    /** Loads (or fails) exactly as before, with the same names and the same values in the fleet's own modules. */
    private DependentResult correctness(ProofSite site, Dependent dependent, Path root, Path copy, List<ChangedModule> modules, ChangeSet change) {
        ProfileTarget target = dependent.target();
        Path script = target.script().toAbsolutePath().normalize();
        Path copiedScript = copy.resolve(root.relativize(script).toString());
        // the original twice in one runner: values that differ between two loads of the original are not compared
        List<ProcessResult> originals = checks(site, target, root, List.of(loadArgs(script, root), loadArgs(script, root)));
        JsonNode before = loaded(originals.get(0));
        JsonNode after = JSON.readTree(JSON.writeValueAsString(loaded(checks(site, moved(target, root, copy, copiedScript), copy,
                List.of(loadArgs(copiedScript, copy))).getFirst())).replace(copy.toString(), root.toString()));
        List<ProofCheck> checks = new ArrayList<>();
        Map<String, Object> loads = new LinkedHashMap<>();
        loads.put("original", outcome(before));
        loads.put("changed", outcome(after));
        boolean beforeOk = before.path("ok").asBoolean();
        boolean afterOk = after.path("ok").asBoolean();
        if (!beforeOk || !afterOk) {
            boolean same = !beforeOk && !afterOk && before.path("error_type").equals(after.path("error_type"))
                    && before.path("message").equals(after.path("message"));
            checks.add(same
                    ? new ProofCheck("loads", ProofCheck.Outcome.PASSED, "fails exactly as before: " + describe(before), loads)
                    : new ProofCheck("loads", ProofCheck.Outcome.FAILED, "the agent %s before the change and %s with it"
                            .formatted(describe(before), describe(after)), loads));
            return new DependentResult(dependent.agent().id(), checks, null);
        }
        checks.add(new ProofCheck("loads", ProofCheck.Outcome.PASSED, "loads before and after the change in fresh processes", loads));
        JsonNode again = loaded(originals.get(1));
        checks.add(sameNames(before, again, after, modules, change));
        return new DependentResult(dependent.agent().id(), checks, null);
    }

    private static ProofCheck sameNames(JsonNode before, JsonNode again, JsonNode after, List<ChangedModule> modules, ChangeSet change) {
        Map<String, List<String>> removedOf = new LinkedHashMap<>();
        modules.forEach(m -> removedOf.put(m.name(), m.removedNames()));
        // A module of a joint change may now be imported lazily by another one (base_agent defers common.metrics): it is
        // then not loaded at start any more, which is the change's point, not a loss.
        Set<String> deferredModules = new TreeSet<>();
        java.util.regex.Pattern lazy = java.util.regex.Pattern.compile("_fleetshell_lazy\\(\"([A-Za-z0-9_.]+)\"");
        change.changed().forEach(r -> lazy.matcher(new String(r.after(), java.nio.charset.StandardCharsets.UTF_8)).results()
                .forEach(m -> deferredModules.add(m.group(1))));
        Set<String> helperModules = new TreeSet<>();
        Set<String> helperNames = new TreeSet<>();
        for (Rewrite created : change.files().stream().filter(Rewrite::createsFile).toList()) {
            String stem = created.file().getFileName().toString().replaceFirst("\\.py$", "");
            helperNames.add(stem);
            after.path("own").propertyNames().forEach(name -> {
                if (name.equals(stem) || name.endsWith("." + stem)) {
                    helperModules.add(name);
                }
            });
        }
        List<String> differences = new ArrayList<>();
        Set<String> agentBefore = strings(before.path("names"));
        Set<String> agentAfter = strings(after.path("names"));
        if (!agentBefore.equals(agentAfter)) {
            differences.add("the agent's names differ: %s".formatted(difference(agentBefore, agentAfter)));
        }
        JsonNode ownBefore = before.path("own");
        JsonNode ownAfter = after.path("own");
        List<String> notLoadedNow = new ArrayList<>();
        List<String> unstable = new ArrayList<>();
        int compared = 0;
        for (String name : ownBefore.propertyNames()) {
            JsonNode was = ownBefore.path(name);
            JsonNode now = ownAfter.path(name);
            if (now.isMissingNode()) {
                if (removedOf.containsKey(name) && !deferredModules.contains(name)) {
                    differences.add("the shared module %s is not loaded any more".formatted(name));
                } else {
                    notLoadedNow.add(name);
                }
                continue;
            }
            for (String key : was.propertyNames()) {
                if (removedOf.getOrDefault(name, List.of()).contains(key)) {
                    continue;
                }
                if (!again.path("own").path(name).path(key).equals(was.path(key))) {
                    unstable.add(name + "." + key);
                    continue;
                }
                compared++;
                if (!now.path(key).equals(was.path(key))) {
                    differences.add("%s.%s was %s, is %s".formatted(name, key, was.path(key).asString(), now.path(key).isMissingNode()
                            ? "missing" : now.path(key).asString()));
                }
            }
            for (String key : now.propertyNames()) {
                if (was.path(key).isMissingNode() && !helperNames.contains(key)) {
                    differences.add("%s gains the name %s".formatted(name, key));
                }
            }
        }
        for (String name : ownAfter.propertyNames()) {
            if (ownBefore.path(name).isMissingNode() && !helperModules.contains(name)) {
                differences.add("the fleet module %s loads now and did not before".formatted(name));
            }
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("agent_names", agentBefore.size());
        evidence.put("own_values_compared", compared);
        evidence.put("own_values_unstable", unstable);
        evidence.put("own_modules_no_longer_loaded_at_start", notLoadedNow);
        evidence.put("removed_on_purpose", removedOf.values().stream().flatMap(List::stream).toList());
        if (modules.size() > 1) {
            evidence.put("removed_on_purpose_by_module", removedOf);
        }
        evidence.put("differences", differences);
        if (differences.isEmpty()) {
            return new ProofCheck("same module names", ProofCheck.Outcome.PASSED, ("the agent has the same %d names and the fleet's own modules "
                    + "the same %d values after the load (%d that differ between two loads of the original not compared)%s")
                    .formatted(agentBefore.size(), compared, unstable.size(),
                    notLoadedNow.isEmpty() ? "" : " (deferred until first use: " + String.join(", ", notLoadedNow) + ")"), evidence);
        }
        return new ProofCheck("same module names", ProofCheck.Outcome.FAILED, String.join("; ", differences.subList(0, Math.min(3, differences.size())))
                + (differences.size() > 3 ? " (and %d more)".formatted(differences.size() - 3) : ""), evidence);
    }

    /** Paired loads of the agent from the fleet and from the changed copy, CPU time decides a pair. */
    private Map<String, Object> loadTimes(ProofSite site, Dependent dependent, Path root, Path copy, int pairs) {
        ProfileTarget original = dependent.target();
        Path copiedScript = copy.resolve(root.relativize(original.script().toAbsolutePath().normalize()).toString());
        ProfileTarget changed = moved(original, root, copy, copiedScript);
        List<Double> beforeCpu = new ArrayList<>();
        List<Double> afterCpu = new ArrayList<>();
        List<Double> beforeWall = new ArrayList<>();
        List<Double> afterWall = new ArrayList<>();
        List<Double> loadAverages = new ArrayList<>();
        // One runner on the machine for the warm-up and every pair (over ssh, one session instead of one a load), each load in
        // its own directory and environment: the original from the fleet, the changed agent from the copy.
        int[] wins = {0};
        try (Profiler profiler = new Profiler(loadTimeout, site.host(), cache(site))) {
            profiler.pairs(original, changed, pairs, pair -> {
                Progress.update(dependent.agent().id(), "proving the shared module's change on this dependent: load time, pair %d of %d"
                        .formatted(pair, pairs));
                loadAverages.add(LoadAverage.now());
            }, (pair, a, b) -> {
                if (!a.ok() || !b.ok()) {
                    throw new FleetshellException(ErrorCode.OPERATION_FAILED, "%s: pair %d of the load-time check failed to load (%s) "
                            .formatted(dependent.agent().id(), pair, !a.ok() ? "original: " + a.error() : "changed: " + b.error())
                            + "although it loaded in the check before; nothing was changed");
                }
                beforeCpu.add(a.cpuMillis());
                afterCpu.add(b.cpuMillis());
                beforeWall.add(a.loadMillis());
                afterWall.add(b.loadMillis());
                if (b.cpuMillis() < a.cpuMillis() - floor.threshold(a.cpuMillis())) {
                    wins[0]++;
                }
                return true;
            }, null);
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("before_cpu_median_ms", round(Stats.of(beforeCpu).median()));
        evidence.put("after_cpu_median_ms", round(Stats.of(afterCpu).median()));
        evidence.put("before_median_ms", round(Stats.of(beforeWall).median()));
        evidence.put("after_median_ms", round(Stats.of(afterWall).median()));
        evidence.put("before_cpu_ms", beforeCpu);
        evidence.put("after_cpu_ms", afterCpu);
        evidence.put("wins", wins[0]);
        evidence.put("pairs", beforeCpu.size());
        evidence.put("load_average", loadAverages);
        return evidence;
    }

    private ProofCheck combined(List<DependentResult> results, int wins, int total) {
        if (pairs == 0) {
            return new ProofCheck(LOAD_TIME, ProofCheck.Outcome.SKIPPED, "not measured (0 pairs were asked for)", null);
        }
        double p = SequentialSignTest.signTestP(total, wins);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("test", "stratified sign test over per-agent paired CPU-time differences (strata: agents)");
        evidence.put("decided_on", "cpu_ms");
        evidence.put("pairs", total);
        evidence.put("wins", wins);
        evidence.put("p", p);
        evidence.put("alpha", alpha);
        evidence.put("min_gain", Map.of("percent", floor.percent(), "ms", floor.millis()));
        Map<String, Object> perAgent = new LinkedHashMap<>();
        List<String> figures = new ArrayList<>();
        for (DependentResult result : results) {
            perAgent.put(result.agent().toString(), result.loadTime());
            figures.add("%s %.1f -> %.1f ms (%s of %s)".formatted(result.agent(), (Double) result.loadTime().get("before_cpu_median_ms"),
                    (Double) result.loadTime().get("after_cpu_median_ms"), result.loadTime().get("wins"), result.loadTime().get("pairs")));
        }
        evidence.put("dependents", perAgent);
        String detail = "median CPU time per dependent: %s; the change gained %s in %d of %d pairs (stratified sign test, p %.4f, alpha %.2f)"
                .formatted(String.join(", ", figures), floor, wins, total, p, alpha);
        return p <= alpha
                ? new ProofCheck(LOAD_TIME, ProofCheck.Outcome.PASSED, "load time drops over the dependents: " + detail, evidence)
                : new ProofCheck(LOAD_TIME, ProofCheck.Outcome.FAILED, "load time does not drop beyond noise over the dependents: " + detail
                        + "; a change that gains nothing is not deployed", evidence);
    }

    private ProofCheck agentTests(ProofSite site, Dependent dependent, Path root, ChangeSet change) {
        ProfileTarget target = dependent.target();
        if (dependent.testCommand() == null || dependent.testCommand().isBlank()) {
            return new ProofCheck(ProofCheck.AGENT_TESTS, ProofCheck.Outcome.SKIPPED,
                    "no test_command is configured for " + target.agent() + " (set test_command: in its startup config entry)", null);
        }
        Path script = root.relativize(target.script().toAbsolutePath().normalize());
        String command = dependent.testCommand().replace("{name}", target.agent().name())
                .replace("{machine}", target.agent().machine()).replace("{script}", script.toString());
        Path copy = changedCopy(site, root, change);
        ProcessResult run;
        try {
            run = site.host().run(ProcessRun.shell(command).in(copy).environment(moved(target, root, copy, copy.resolve(script.toString()))
                    .environment()).timeout(testTimeout));
        } catch (CannotStartException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot run the tests of %s on %s: %s; nothing was changed"
                    .formatted(target.agent(), site, e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "the proof was interrupted while the tests of %s ran; nothing was changed"
                    .formatted(target.agent()));
        } finally {
            site.remove(copy);
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("command", command);
        evidence.put("exit_status", run.exitStatus());
        evidence.put("output_tail", run.tail(2000));
        if (run.timedOut()) {
            return new ProofCheck(ProofCheck.AGENT_TESTS, ProofCheck.Outcome.FAILED, "the agent's tests did not finish within %d s"
                    .formatted(testTimeout.toSeconds()), evidence);
        }
        return run.exitStatus() == 0
                ? new ProofCheck(ProofCheck.AGENT_TESTS, ProofCheck.Outcome.PASSED, "`%s` passes with the change".formatted(command), evidence)
                : new ProofCheck(ProofCheck.AGENT_TESTS, ProofCheck.Outcome.FAILED, "`%s` fails with the change, exit status %d"
                        .formatted(command, run.exitStatus()), evidence);
    }

    /** The agent as it would run from the copy: its script there, the copy as working directory, paths into the fleet moved. */
    private static ProfileTarget moved(ProfileTarget target, Path root, Path copy, Path script) {
        Map<String, String> environment = new LinkedHashMap<>();
        target.environment().forEach((name, value) -> environment.put(name, value.replace(root.toString(), copy.toString())));
        return new ProfileTarget(target.agent(), script, target.python(), copy, environment);
    }

    /** Where the loads keep their bytecode: this proof's cache on this computer (the shell's), the host's own on a remote one. */
    private Path cache(ProofSite site) {
        return site.host() instanceof LocalHost ? bytecodeCache : site.bytecodeCache();
    }

    /** The arguments of one {@code proof_check.py load} of {@code file} with the fleet's own modules under {@code root}. */
    private static List<String> loadArgs(Path file, Path root) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("file", file.toString());
        request.put("argv0", file.toString());
        request.put("root", root.toString());
        request.put("touch", List.of());
        request.put("removed", List.of());
        request.put("removed_from", file.toString());
        return List.of("load", JSON.writeValueAsString(request));
    }

    /** A load's report, or a failed load saying why there is none. */
    private JsonNode loaded(ProcessResult run) {
        if (!run.timedOut() && run.report().startsWith("{")) {
            return JSON.readTree(run.report());
        }
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put("ok", false);
        failed.put("error_type", run.timedOut() ? "Timeout" : "NoReport");
        failed.put("message", run.timedOut() ? "loading took longer than %d s".formatted(loadTimeout.toSeconds())
                : "the interpreter exited with status %d before the load finished".formatted(run.exitStatus()));
        return JSON.valueToTree(failed);
    }

    private static String report(ProfileTarget target, ProcessResult run, String what) {
        if (run.timedOut() || !run.report().startsWith("{")) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "the proof's %s with %s %s: %s; nothing was changed".formatted(what,
                    target.python(), run.timedOut() ? "timed out" : "gave no report (exit status " + run.exitStatus() + ")", run.tail(600)));
        }
        return run.report();
    }

    /**
     * Runs of {@code proof_check.py} with the target's interpreter and environment in {@code workingDirectory} on the site's
     * host, one per argument list, in order, started by one {@link LoadRunner} there (over ssh a process of its own costs
     * a session and a wrapper shell).
     */
    private List<ProcessResult> checks(ProofSite site, ProfileTarget target, Path workingDirectory, List<List<String>> args) {
        Path cache = cache(site);
        ProcessRun runner = ProcessRun.of(target.python()).in(workingDirectory).environment(target.environment())
                .timeout(loadTimeout.multipliedBy(args.size() + 1));
        if (cache != null) {
            // as the profiled loads: with a cache of fleetshell's own, an inherited PYTHONDONTWRITEBYTECODE would only make
            // every check recompile every module
            runner = runner.environment("PYTHONPYCACHEPREFIX", cache.toString()).without("PYTHONDONTWRITEBYTECODE");
        }
        List<ProcessResult> results = new ArrayList<>();
        try {
            LoadRunner.run(site.host(), runner, List.of(target.python(), "-c", ShippedPrograms.python("proof_check.py")), args, loadTimeout,
                    (index, run) -> results.add(run));
        } catch (CannotStartException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot run the proof of %s on %s: %s; nothing was changed"
                    .formatted(target.agent(), site, e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "the proof was interrupted; nothing was changed");
        } catch (IllegalStateException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "the proof's checks of %s failed: %s; nothing was changed"
                    .formatted(target.agent(), e.getMessage()), e);
        }
        return results;
    }

    private static String describe(JsonNode load) {
        return load.path("ok").asBoolean() ? "loads" : "fails with %s: %s".formatted(load.path("error_type").asString(), load.path("message").asString());
    }

    private static Map<String, Object> outcome(JsonNode load) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", load.path("ok").asBoolean());
        if (!load.path("ok").asBoolean()) {
            m.put("error_type", load.path("error_type").asString(""));
            m.put("message", load.path("message").asString(""));
        }
        return m;
    }

    private static String difference(Set<String> before, Set<String> after) {
        Set<String> added = new TreeSet<>(after);
        added.removeAll(before);
        Set<String> missing = new TreeSet<>(before);
        missing.removeAll(after);
        return (added.isEmpty() ? "" : "adds " + String.join(", ", added)) + (!added.isEmpty() && !missing.isEmpty() ? ", " : "")
                + (missing.isEmpty() ? "" : "lacks " + String.join(", ", missing));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new TreeSet<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }

    /**
     * A temporary copy of the fleet root on the site's host with every file of the change written (created ones too),
     * made there in one operation; its name carries this process's mark, so a copy a killed fleetshell left is swept.
     */
    private static Path changedCopy(ProofSite site, Path root, ChangeSet change) {
        Path copy = site.temporaryName("proof-fleet", "");
        Map<String, byte[]> replaced = new LinkedHashMap<>();
        for (Rewrite file : change.changed()) {
            replaced.put(root.relativize(file.file().toAbsolutePath().normalize()).toString(), file.after());
        }
        try {
            // from the root's real path there: a root reached through a symlinked directory is copied, not skipped as a link
            site.host().copyTree(site.host().realPath(root), copy, replaced);
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot copy the fleet root %s on %s to prove the change in (%s); nothing was changed"
                    .formatted(root, site, e.getMessage()), e);
        }
        return copy;
    }
}
