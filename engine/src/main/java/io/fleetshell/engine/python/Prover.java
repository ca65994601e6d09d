package io.fleetshell.engine.python;

import io.fleetshell.engine.Progress;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.Leftovers;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.ShippedPrograms;
import io.fleetshell.engine.profile.LoadAverage;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.profile.Stats;
import io.fleetshell.engine.proof.EffectFloor;
import io.fleetshell.engine.stats.MannWhitney;
import io.fleetshell.engine.stats.SequentialSignTest;
import io.fleetshell.engine.stats.RankTest;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.proof.PatternProofs;
import io.fleetshell.engine.python.proof.ProofSite;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Proves a rewrite against the agent's own interpreter, in this order, stopping at the first failure:
 * <ol>
 *   <li>{@code compiles}: the rewritten file compiles;</li>
 *   <li>{@code no new undefined name}: every name it reads is bound (module or builtins) wherever the original's was;</li>
 *   <li>{@code loads}: the original and the rewrite load in fresh processes (an original that does not load cannot be
 *       proved, and a rewrite that loads where the original fails only moves the failure);</li>
 *   <li>{@code same module names}: the module's names after the load are the original's;</li>
 *   <li>{@code same loaded state}: after a full load (deferred names used) the same modules are in {@code sys.modules} and
 *       the fleet's own modules hold the same state ({@link LoadedState});</li>
 *   <li>{@code load time}: its load time is lower than the original's beyond noise and beyond the effect floor, in paired,
 *       interleaved fresh-process loads whose number a sequential test chooses ({@link io.fleetshell.engine.stats.SequentialSignTest}),
 *       with the first-use cost of every deferred name as evidence;</li>
 *   <li>the checks of {@code async_initialization} and {@code cache_optimization} ({@code python/proof}), on real starts
 *       replaying the agent's {@code replay_requests}; a cache-only rewrite skips the load-time check, which it cannot pass;</li>
 *   <li>{@code agent tests}: the agent's {@code test_command} passes in a copy of its fleet root holding the rewrite.</li>
 * </ol>
 * Every load presents the agent with what {@code python SCRIPT} minus its {@code __main__} block would show it
 * ({@code load_probe.py} says exactly what), and fleetshell's own Python code never imports from the agent's directory.
 * The rewritten bytes are loaded from a hidden sibling of the agent's file (same directory, so paths the agent
 * computes from {@code __file__} still hold), removed afterwards; the agent's file is never touched.
 */
public final class Prover {

    /**
     * @param runs        pairs of fresh-process loads at the load-time test's planned look (an early look after 0.6 times as many may
     *                    decide sooner; it may take up to four times as
     *                    many); 0 skips that test, which leaves a proof of correctness only (the corpus tests use it; the
     *                    shell never does)
     * @param alpha       the load-time test's false-positive rate
     * @param loadTimeout how long one load may take
     * @param testTimeout how long the agent's tests may take
     * @param floor       the least gain the load-time test counts
     */
    public record Settings(int runs, double alpha, Duration loadTimeout, Duration testTimeout, EffectFloor floor) {

        /** With the default effect floor ({@link EffectFloor#DEFAULT}). */
        public Settings(int runs, double alpha, Duration loadTimeout, Duration testTimeout) {
            this(runs, alpha, loadTimeout, testTimeout, EffectFloor.DEFAULT);
        }

        public static Settings defaults() {
            return new Settings(11, 0.05, Duration.ofSeconds(60), Duration.ofMinutes(10));
        }
    }

    /**
     * What to prove: the agent as profiled, the rewrite of its file, the deferred modules whose first use to
     * time (attribute paths from the module, e.g. {@code urllib.request}), the module-level names the rewrite
     * removes on purpose (dead imports), the agent's {@code test_command} (null when none is configured), its
     * requests to replay, and where it runs (the agent's machine; null: this computer with the Prover's cache).
     * Paths are that machine's.
     */
    public record Subject(ProfileTarget target, Rewrite rewrite, List<String> deferredNames, List<String> removedNames,
                          String testCommand, List<String> replayRequests, ProofSite site) {
        public Subject {
            deferredNames = List.copyOf(deferredNames);
            removedNames = List.copyOf(removedNames);
            replayRequests = replayRequests == null ? List.of() : List.copyOf(replayRequests);
        }

        /** A subject proved on this computer, with the Prover's bytecode cache. */
        public Subject(ProfileTarget target, Rewrite rewrite, List<String> deferredNames, List<String> removedNames,
                       String testCommand, List<String> replayRequests) {
            this(target, rewrite, deferredNames, removedNames, testCommand, replayRequests, null);
        }

        /** A subject without requests to replay (the checks of async_initialization and cache_optimization need them). */
        public Subject(ProfileTarget target, Rewrite rewrite, List<String> deferredNames, List<String> removedNames, String testCommand) {
            this(target, rewrite, deferredNames, removedNames, testCommand, List.of());
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Settings settings;
    private final Path bytecodeCache;

    /** @param bytecodeCache this computer's cache for subjects proved here ({@link Subject#site()} null) */
    public Prover(Settings settings, Path bytecodeCache) {
        this.settings = settings;
        this.bytecodeCache = bytecodeCache;
    }

    public Proof prove(Subject subject) {
        ProofSite site = subject.site() != null ? subject.site() : ProofSite.thisComputer(bytecodeCache);
        ProfileTarget target = subject.target();
        Path original = target.script();
        Path variant = original.resolveSibling("." + original.getFileName() + ".fleetshell-proof"
                + Leftovers.mark() + UUID.randomUUID().toString().substring(0, 8) + ".py");
        List<ProofCheck> checks = new ArrayList<>();
        // the load-time pairs are the sibling's last use unless the agent is started from it: their runner removes it then
        Profiler.Owned lastUse = PatternProofs.startsTheAgent(subject.rewrite()) ? null : new Profiler.Owned(variant, subject.rewrite().after());
        boolean[] removed = {false};
        // a sibling a killed fleetshell left beside this file is removed as this proof adds its own (one listing, by the write)
        try {
            site.writeSibling(original, variant, subject.rewrite().after());
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot write the rewrite next to %s on %s to load it (%s); nothing was changed"
                    .formatted(original, site, e.getMessage()));
        }
        try {
            Progress.update(target.agent(), "proving: compiles, undefined names, loads, module names");
            // the static check, then original, rewrite, original again: in that order, in one runner process on the machine
            // (one ssh session, not four); the loads are taken even when an earlier check fails, their cost on a failed proof
            List<ProcessResult> runs = checks(site, target, List.of(List.of("static", original.toString(), variant.toString()),
                    List.of("load", loadRequest(target, original, original, List.of(), subject.removedNames())),
                    List.of("load", loadRequest(target, variant, original, subject.deferredNames(), subject.removedNames())),
                    List.of("load", loadRequest(target, original, original, List.of(), subject.removedNames()))));
            JsonNode both = report(target, "static", runs.get(0));
            if (!add(checks, compiles(target, both.path("rewritten")))
                    || !add(checks, undefinedNames(both.path("original"), both.path("rewritten")))) {
                return new Proof(checks);
            }
            JsonNode before = loadReport(runs.get(1));
            JsonNode after = loadReport(runs.get(2));
            if (!add(checks, loads(before, after)) || !add(checks, sameNames(before, after, subject.removedNames()))) {
                return new Proof(checks);
            }
            JsonNode again = loadReport(runs.get(3));
            if (!add(checks, loadedState(subject, before, again, after, both.path("rewritten").path("dynamic")))
                    || (!PatternProofs.replacesLoadTime(subject.rewrite()) && !add(checks, loadTime(site, target, variant, after, lastUse, removed)))) {
                return new Proof(checks);
            }
            // async_initialization and cache_optimization: their own checks, on real starts (python/proof)
            if (settings.runs() > 0 && !addAll(checks, new PatternProofs(Math.min(settings.runs(), 6), settings.alpha(),
                    settings.loadTimeout()).prove(site, target, variant, subject.rewrite(), subject.replayRequests()))) {
                return new Proof(checks);
            }
            Progress.update(target.agent(), "proving: test_command");
            add(checks, agentTests(site, subject));
            return new Proof(checks);
        } finally {
            Progress.end(target.agent());
            if (!removed[0]) {
                site.remove(variant); // a hidden proof file left behind does not change the agent; its name says its owner
            }
        }
    }

    /** Patterns that change the loaded state on purpose; every other rewrite must keep it ({@link LoadedState}). */
    private static final Set<String> STATE_CHANGING = Set.of("async_initialization", "cache_optimization");

    /**
     * {@link LoadedState}, except for rewrites by async_initialization (start-up work moved to a thread) and
     * cache_optimization (functions wrapped), which change the loaded state on purpose; their own checks replay the
     * agent's requests instead.
     */
    private static ProofCheck loadedState(Subject subject, JsonNode before, JsonNode again, JsonNode after, JsonNode dynamic) {
        List<String> others = java.util.Arrays.stream(subject.rewrite().pattern().split("\\+")).filter(STATE_CHANGING::contains).toList();
        if (!others.isEmpty()) {
            return new ProofCheck(LoadedState.NAME, ProofCheck.Outcome.SKIPPED, "%s change%s the loaded state on purpose; the checks "
                    .formatted(String.join(" and ", others), others.size() == 1 ? "s" : "") + "below replay the agent's requests instead", null);
        }
        return LoadedState.check(before, again, after, subject.removedNames(), dynamic);
    }

    private static boolean addAll(List<ProofCheck> checks, List<ProofCheck> added) {
        checks.addAll(added);
        return added.stream().noneMatch(ProofCheck::failed);
    }

    private static boolean add(List<ProofCheck> checks, ProofCheck check) {
        checks.add(check);
        return !check.failed();
    }

    private ProofCheck compiles(ProfileTarget target, JsonNode rewritten) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("python", target.python());
        if (rewritten.path("compiles").asBoolean()) {
            return new ProofCheck("compiles", ProofCheck.Outcome.PASSED, "the rewritten file compiles under " + target.python(), evidence);
        }
        evidence.put("error", rewritten.path("error").asString(""));
        evidence.put("line", rewritten.path("line").isNumber() ? rewritten.path("line").asInt() : null);
        return new ProofCheck("compiles", ProofCheck.Outcome.FAILED, "the rewritten file does not compile under %s: %s at line %s"
                .formatted(target.python(), evidence.get("error"), evidence.get("line")), evidence);
    }

    private static ProofCheck undefinedNames(JsonNode original, JsonNode rewritten) {
        Set<String> before = strings(original.path("undefined"));
        Set<String> after = strings(rewritten.path("undefined"));
        Set<String> added = new TreeSet<>(after);
        added.removeAll(before);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("undefined_before", List.copyOf(before));
        evidence.put("undefined_after", List.copyOf(after));
        if (added.isEmpty()) {
            return new ProofCheck("no new undefined name", ProofCheck.Outcome.PASSED,
                    before.isEmpty() ? "every name the rewrite reads is bound" : "the rewrite reads no unbound name the original did not", evidence);
        }
        return new ProofCheck("no new undefined name", ProofCheck.Outcome.FAILED,
                "the rewrite reads names nothing binds: " + String.join(", ", added), evidence);
    }

    /**
     * Both versions must load. An original that does not load cannot be proved (issue 16 item 3): whatever the rewrite
     * does, nothing shows it keeps the agent's behaviour; and a rewrite that loads where the original fails has only
     * moved the failure to the first use of what it defers (issue 16 item 4).
     */
    private static ProofCheck loads(JsonNode before, JsonNode after) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("original", outcome(before));
        evidence.put("rewritten", outcome(after));
        boolean beforeOk = before.path("ok").asBoolean();
        boolean afterOk = after.path("ok").asBoolean();
        if (beforeOk && afterOk) {
            return new ProofCheck("loads", ProofCheck.Outcome.PASSED, "the original and the rewrite load in fresh processes", evidence);
        }
        if (!beforeOk) {
            return new ProofCheck("loads", ProofCheck.Outcome.FAILED, ("the original does not load: it %s; %s. An agent that does not "
                    + "load cannot be proved: fix the load error (profile shows it) and optimize again").formatted(describe(before),
                    afterOk ? "the rewrite loads, which would only move the failure to the first use of what it defers"
                            : "the rewrite " + describe(after)), evidence);
        }
        return new ProofCheck("loads", ProofCheck.Outcome.FAILED, "the original loads, the rewrite " + describe(after), evidence);
    }

    private static String describe(JsonNode load) {
        return load.path("ok").asBoolean() ? "loads" : "fails with %s: %s%s".formatted(load.path("error_type").asString(),
                load.path("message").asString(), load.path("line").isNumber() ? " (line " + load.path("line").asInt() + ")" : "");
    }

    private static Map<String, Object> outcome(JsonNode load) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", load.path("ok").asBoolean());
        if (!load.path("ok").asBoolean()) {
            m.put("error_type", load.path("error_type").asString(""));
            m.put("message", load.path("message").asString(""));
            m.put("line", load.path("line").isNumber() ? load.path("line").asInt() : null);
        }
        return m;
    }

    private static ProofCheck sameNames(JsonNode before, JsonNode after, List<String> removedOnPurpose) {
        Set<String> original = strings(before.path("names"));
        original.removeAll(removedOnPurpose);
        Set<String> rewritten = strings(after.path("names"));
        Set<String> added = new TreeSet<>(rewritten);
        added.removeAll(original);
        Set<String> missing = new TreeSet<>(original);
        missing.removeAll(rewritten);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("names", original.size());
        evidence.put("removed_on_purpose", removedOnPurpose);
        evidence.put("added", List.copyOf(added));
        evidence.put("missing", List.copyOf(missing));
        if (added.isEmpty() && missing.isEmpty()) {
            return new ProofCheck("same module names", ProofCheck.Outcome.PASSED,
                    removedOnPurpose.isEmpty() ? "after the load the module has the same %d names".formatted(original.size())
                            : "after the load the module has the same %d names, less the removed %s".formatted(original.size(),
                                    String.join(", ", removedOnPurpose)), evidence);
        }
        return new ProofCheck("same module names", ProofCheck.Outcome.FAILED, "after the load the rewrite %s%s%s".formatted(
                added.isEmpty() ? "" : "adds " + String.join(", ", added), !added.isEmpty() && !missing.isEmpty() ? " and " : "",
                missing.isEmpty() ? "" : "lacks " + String.join(", ", missing)), evidence);
    }

    /**
     * Paired fresh-process loads, the order within a pair alternating (original first, then the rewrite first) so that a
     * drift of the machine's speed falls on both alike, after one warm-up each; a pair is a win when the rewrite's CPU time
     * is below the original's by more than the effect floor. A sequential sign test ({@link SequentialSignTest}) looks at
     * the wins after 0.6 times {@code runs} pairs, after {@code runs} and after 1.5, 2, 3 and 4 times as many, and stops as soon as it can pass or fail
     * at the error rate {@code alpha}: a clear gain or a clear lack of one is decided in few loads, a borderline one takes
     * more. CPU time, not wall time, because on a busy machine other processes stretch the wall time of a load by up to
     * 2.4x at random while the CPU time moves by a few per cent (issue 22); the wall times and the machine's load average
     * at every pair are kept as evidence.
     *
     * @param lastUse the sibling, when these loads are its last use (their runner removes it; then {@code removed[0]} is set), or null
     */
    private ProofCheck loadTime(ProofSite site, ProfileTarget target, Path variant, JsonNode afterLoad, Profiler.Owned lastUse, boolean[] removed) {
        if (settings.runs() == 0) {
            return new ProofCheck("load time", ProofCheck.Outcome.SKIPPED, "not measured (0 runs were asked for)", null);
        }
        ProfileTarget rewritten = new ProfileTarget(target.agent(), variant, target.python(), target.workingDirectory(), target.environment());
        SequentialSignTest design = SequentialSignTest.forProofs(settings.alpha(), settings.runs());
        EffectFloor floor = settings.floor();
        List<Double> before = new ArrayList<>();
        List<Double> after = new ArrayList<>();
        List<Double> beforeCpu = new ArrayList<>();
        List<Double> afterCpu = new ArrayList<>();
        List<Double> loadAverages = new ArrayList<>();
        int[] wins = {0};
        SequentialSignTest.Verdict[] verdict = {SequentialSignTest.Verdict.CONTINUE};
        String[] failure = {null};
        Progress.update(target.agent(), "proving: load time, warm-up");
        try (Profiler profiler = new Profiler(settings.loadTimeout(), site.host(), site.bytecodeCache())) {
            // One runner process for all the loads: over ssh a load of its own cost 0.2-0.5 s of session and wrapper, and a
            // proof takes 20 to 60. On this computer the runner is kept too (one code path): optimize --dry-run of the demo
            // agent took 4.65 s (median of 5) with direct starts and 3.66 s with the runner, load 2-3.5 (bench/remote_fanout.py --only
            // optimize, 02:32 and 02:35 UTC); over ssh 11.33 -> 7.66 s. As many pairs as the test may want.
            profiler.pairs(target, rewritten, design.maxPairs(), pair -> {
                Progress.update(target.agent(), "proving: load time, pair %d, rewrite faster in %d".formatted(pair, wins[0]));
                loadAverages.add(LoadAverage.now());
            }, (pair, a, b) -> {
                if (!a.ok() || !b.ok()) {
                    failure[0] = "pair %d failed to load: %s".formatted(pair, !a.ok() ? "original " + a.error() : "rewrite " + b.error());
                    return false;
                }
                before.add(a.loadMillis());
                after.add(b.loadMillis());
                beforeCpu.add(a.cpuMillis());
                afterCpu.add(b.cpuMillis());
                if (b.cpuMillis() < a.cpuMillis() - floor.threshold(a.cpuMillis())) {
                    wins[0]++;
                }
                verdict[0] = design.decide(pair, wins[0]);
                return verdict[0] == SequentialSignTest.Verdict.CONTINUE;
            }, lastUse);
            removed[0] = lastUse != null;
        }
        if (failure[0] != null) {
            return new ProofCheck("load time", ProofCheck.Outcome.FAILED, failure[0], null);
        }
        int pairs = before.size();
        double p = SequentialSignTest.signTestP(pairs, wins[0]);
        RankTest ranks = MannWhitney.lessThan(afterCpu.stream().mapToDouble(Double::doubleValue).toArray(),
                beforeCpu.stream().mapToDouble(Double::doubleValue).toArray());
        Stats b = Stats.of(before);
        Stats a = Stats.of(after);
        Stats bCpu = Stats.of(beforeCpu);
        Stats aCpu = Stats.of(afterCpu);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("before_ms", before);
        evidence.put("after_ms", after);
        evidence.put("before_median_ms", round(b.median()));
        evidence.put("after_median_ms", round(a.median()));
        evidence.put("before_cpu_ms", beforeCpu);
        evidence.put("after_cpu_ms", afterCpu);
        evidence.put("before_cpu_median_ms", round(bCpu.median()));
        evidence.put("after_cpu_median_ms", round(aCpu.median()));
        evidence.put("decided_on", "cpu_ms");
        evidence.put("test", "sequential paired sign test (Lan-DeMets Pocock-type alpha spending)");
        evidence.put("pairs", pairs);
        evidence.put("wins", wins[0]);
        evidence.put("looks", design.looks());
        evidence.put("wins_to_pass", design.passBoundaries());
        evidence.put("min_gain", Map.of("percent", floor.percent(), "ms", floor.millis()));
        evidence.put("load_average", loadAverages);
        evidence.put("p", p);
        evidence.put("alpha", settings.alpha());
        evidence.put("u", ranks.u());
        evidence.put("z", round(ranks.z()));
        Map<String, Object> firstUse = new LinkedHashMap<>();
        afterLoad.path("first_use").properties().forEach(e -> firstUse.put(e.getKey(), e.getValue().asDouble()));
        evidence.put("first_use_ms", firstUse);
        evidence.put("first_use_total_ms", round(firstUse.values().stream().mapToDouble(v -> (Double) v).sum()));
        String figures = ("median CPU time %.1f -> %.1f ms (wall %.1f -> %.1f ms); the rewrite gained %s in %d of %d pairs "
                + "(sequential sign test, alpha %.2f, load average %.1f-%.1f)").formatted(bCpu.median(), aCpu.median(), b.median(), a.median(),
                floor, wins[0], pairs, settings.alpha(), loadAverages.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                loadAverages.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        if (verdict[0] == SequentialSignTest.Verdict.PASS) {
            return new ProofCheck("load time", ProofCheck.Outcome.PASSED, "load time drops: " + figures, evidence);
        }
        return new ProofCheck("load time", ProofCheck.Outcome.FAILED,
                "load time does not drop beyond noise and the floor: " + figures + "; a rewrite that gains nothing is not deployed", evidence);
    }

    private ProofCheck agentTests(ProofSite site, Subject subject) {
        ProfileTarget target = subject.target();
        if (subject.testCommand() == null || subject.testCommand().isBlank()) {
            return new ProofCheck(ProofCheck.AGENT_TESTS, ProofCheck.Outcome.SKIPPED,
                    "no test_command is configured for " + target.agent() + " (set test_command: in its startup config entry)", null);
        }
        Path root = target.workingDirectory();
        Path copy = site.temporaryName("proof-fleet", "");
        String command = subject.testCommand().replace("{name}", target.agent().name())
                .replace("{machine}", target.agent().machine()).replace("{script}", root.relativize(target.script()).toString());
        ProcessResult run;
        try {
            site.host().copyTree(root, copy, Map.of(root.relativize(target.script()).toString(), subject.rewrite().after()));
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot copy the fleet root %s on %s to run the agent's tests on the "
                    .formatted(root, site) + "rewrite (%s); nothing was changed".formatted(e.getMessage()), e);
        }
        try {
            run = site.host().run(ProcessRun.shell(command).in(copy).environment(target.environment()).timeout(settings.testTimeout()));
        } catch (io.fleetshell.engine.process.CannotStartException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot run the agent's tests on %s: %s; nothing was changed"
                    .formatted(site, e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "the proof was interrupted while the agent's tests ran; nothing was changed");
        } finally {
            site.remove(copy);
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("command", command);
        evidence.put("exit_status", run.exitStatus());
        evidence.put("output_tail", run.tail(2000));
        if (run.timedOut()) {
            return new ProofCheck(ProofCheck.AGENT_TESTS, ProofCheck.Outcome.FAILED, "the agent's tests did not finish within %d s"
                    .formatted(settings.testTimeout().toSeconds()), evidence);
        }
        return run.exitStatus() == 0
                ? new ProofCheck(ProofCheck.AGENT_TESTS, ProofCheck.Outcome.PASSED, "`%s` passes on the rewrite".formatted(command), evidence)
                : new ProofCheck(ProofCheck.AGENT_TESTS, ProofCheck.Outcome.FAILED, "`%s` fails on the rewrite with exit status %d"
                        .formatted(command, run.exitStatus()), evidence);
    }

    /**
     * Runs of {@code proof_check.py} (fresh-process loads through its {@code load}: the agent's view is that of
     * {@code python SCRIPT}, argv, path and {@code __main__}, with the original's path, whichever file is loaded), one per
     * argument list, in order, started by one {@link LoadRunner} on the agent's machine.
     */
    private List<ProcessResult> checks(ProofSite site, ProfileTarget target, List<List<String>> args) {
        List<ProcessResult> results = new ArrayList<>();
        try {
            LoadRunner.run(site.host(), checkRun(site, target, List.of(target.python())).timeout(settings.loadTimeout().multipliedBy(args.size() + 1)),
                    List.of(target.python(), "-c", ShippedPrograms.python("proof_check.py")), args, settings.loadTimeout(),
                    (index, run) -> results.add(run));
        } catch (io.fleetshell.engine.process.CannotStartException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot run the proof on %s: %s; nothing was changed".formatted(site,
                    e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "the proof was interrupted; nothing was changed");
        } catch (IllegalStateException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "the proof's checks failed: %s; nothing was changed".formatted(e.getMessage()), e);
        }
        return results;
    }

    private static String loadRequest(ProfileTarget target, Path file, Path original, List<String> touch, List<String> removed) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("file", file.toString());
        request.put("argv0", original.toString());
        request.put("root", target.workingDirectory().toString());
        request.put("touch", touch);
        request.put("removed", removed);
        request.put("removed_from", original.toString());
        return JSON.writeValueAsString(request);
    }

    private JsonNode loadReport(ProcessResult run) {
        String report = run.report();
        if (!run.timedOut() && report.startsWith("{")) {
            return JSON.readTree(report);
        }
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put("ok", false);
        failed.put("error_type", run.timedOut() ? "Timeout" : "NoReport");
        failed.put("message", run.timedOut() ? "loading took longer than %d s and was stopped".formatted(settings.loadTimeout().toSeconds())
                : "the interpreter exited with status %d before the load finished: %s".formatted(run.exitStatus(), run.tail(400)));
        return JSON.valueToTree(failed);
    }

    /** A check's process: the agent's working directory and environment, the bytecode cache of the machine. */
    private static ProcessRun checkRun(ProofSite site, ProfileTarget target, List<String> command) {
        Map<String, String> environment = new LinkedHashMap<>(target.environment());
        environment.put("PYTHONPYCACHEPREFIX", site.bytecodeCache().toString());
        // as the profiled loads: an inherited PYTHONDONTWRITEBYTECODE would recompile every module at every check
        return ProcessRun.of(command).in(target.workingDirectory()).environment(environment).without("PYTHONDONTWRITEBYTECODE");
    }

    private static JsonNode report(ProfileTarget target, String check, ProcessResult run) {
        String report = run.report();
        if (run.timedOut() || !report.startsWith("{")) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "the proof's %s check with %s %s: %s; nothing was changed".formatted(
                    check, target.python(), run.timedOut() ? "timed out" : "gave no report (exit status " + run.exitStatus() + ")",
                    run.tail(600)));
        }
        return JSON.readTree(report);
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new TreeSet<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
