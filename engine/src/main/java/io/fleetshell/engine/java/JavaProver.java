package io.fleetshell.engine.java;

import io.fleetshell.engine.Progress;
import io.fleetshell.engine.analysis.ParseError;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.Leftovers;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.proof.ProofCheck.Outcome;
import io.fleetshell.engine.profile.Stats;
import io.fleetshell.engine.stats.MannWhitney;
import io.fleetshell.engine.stats.RankTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Proves a rewrite of a Java agent: the rewritten source parses, it compiles here with {@code javax.tools} against the
 * agent's class path (a build that succeeded before comes from {@link JavaBuildCache}); then, on the agent's machine
 * ({@link JavaSite}: both builds and the rewritten source shipped there in one operation, removed after), the agent's
 * {@code test_command} passes (with {@code {script}} naming the rewritten copy there), the rewritten agent starts and
 * answers {@code /health}, and its start-to-healthy time, measured in alternating runs against the original, is not
 * worse (one-sided Mann-Whitney U). Nothing in the fleet is written.
 */
public final class JavaProver {

    /**
     * @param runs         starts of each version for the start-up check (4 or more can reach p < 0.05)
     * @param startTimeout how long one start may take to get healthy
     * @param testTimeout  how long the test command may run
     * @param alpha        significance level of the rank test
     */
    public record Settings(int runs, Duration startTimeout, Duration testTimeout, double alpha) {

        public static final Settings DEFAULT = new Settings(5, Duration.ofSeconds(30), Duration.ofMinutes(5), 0.05);
    }

    private final Settings settings;
    private final StartupTimer timer;
    private final JavaBuildCache builds;

    /** @param builds where both versions' builds are kept across proofs (the original's is often {@code profile}'s) */
    public JavaProver(Settings settings, JavaBuildCache builds) {
        this.settings = settings;
        this.timer = new StartupTimer(settings.startTimeout());
        this.builds = builds;
    }

    /** Proves {@code rewrite} of the agent: built here, its test_command and its starts on the agent's machine ({@code site}). */
    public Proof prove(Agent agent, JavaSite site, Rewrite rewrite, JavaFacts beforeFacts) {
        Path work;
        try {
            work = Leftovers.newTempDirectory("java-proof");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return prove(agent, site, rewrite, beforeFacts, work);
        } finally {
            Leftovers.delete(work);
        }
    }

    private Proof prove(Agent agent, JavaSite site, Rewrite rewrite, JavaFacts beforeFacts, Path work) {
        Machine machine = site.machine();
        List<ProofCheck> checks = new ArrayList<>();
        var level = com.github.javaparser.ParserConfiguration.LanguageLevel.valueOf(beforeFacts.languageLevel());
        if (JavaSource.parse(rewrite.after(), level) instanceof JavaSource.Failed failed) {
            ParseError error = failed.error();
            checks.add(new ProofCheck("parses", Outcome.FAILED, "the rewritten file does not parse: " + error,
                    evidence("level", level.name(), "line", error.line(), "column", error.column())));
            return new Proof(checks);
        }
        checks.add(new ProofCheck("parses", Outcome.PASSED, "the rewritten file parses at " + level.name(), evidence("level", level.name())));

        Path root = machine.fleetRoot();
        // a run_command starts the agent from a build fleetshell does not make: no machine java to build for
        JavaSite.Java machineJava = agent.java().runCommand() == null ? site.java(agent) : null;
        int release = machineJava == null ? JavaSite.RELEASE : machineJava.buildRelease();
        String note = machineJava == null ? "" : site.olderReleaseNote(agent, machineJava);
        Progress.update(agent.id(), "proving: compiling both versions");
        JavaBuild.Compiled before = builds.compile(agent, site.host(), root, rewrite.before(), work.resolve("before"), release);
        JavaBuild.Compiled after = builds.compile(agent, site.host(), root, rewrite.after(), work.resolve("after"), release);
        if (!before.ok()) {
            checks.add(new ProofCheck("compiles", Outcome.FAILED, "the original does not compile either, so nothing can be compared: "
                    + String.join("; ", before.errors()) + note, evidence("errors", before.errors(), "release", release)));
            return new Proof(checks);
        }
        if (!after.ok()) {
            checks.add(new ProofCheck("compiles", Outcome.FAILED, "the rewritten file does not compile: " + String.join("; ", after.errors()) + note,
                    evidence("errors", after.errors(), "release", release)));
            return new Proof(checks);
        }
        checks.add(new ProofCheck("compiles", Outcome.PASSED, "javac (javax.tools) compiled it for Java " + release + " against "
                + (agent.java().classpath().isEmpty() ? "the JDK alone" : "its classpath " + agent.java().classpath())
                + (after.cached() ? " (the same sources compiled before: their classes came from the build cache)" : ""),
                evidence("classpath", after.classpathString(), "cached", after.cached(), "release", release)));
        if (agent.commands().test() == null && agent.java().runCommand() != null) { // nothing to run on the machine
            checks.add(skippedTests(agent));
            checks.add(skippedStart(agent));
            return new Proof(checks);
        }
        String java = machineJava == null ? null : machineJava.launcher();
        Path there = site.ship("java-proof", Map.of("before", before.classes(), "after", after.classes(), "src", work.resolve("after/src")));
        try {
            return new Proof(onMachine(agent, site, java, beforeFacts, there, checks));
        } finally {
            site.remove(there);
        }
    }

    /** The checks that run on the agent's machine, with what was shipped {@code there}. */
    private List<ProofCheck> onMachine(Agent agent, JavaSite site, String java, JavaFacts beforeFacts, Path there, List<ProofCheck> checks) {
        Progress.update(agent.id(), "proving: test_command");
        ProofCheck tests = agent.commands().test() == null ? skippedTests(agent)
                : runTests(agent, site, there.resolve("src").resolve(agent.script().path().getFileName().toString()));
        checks.add(tests);
        if (tests.failed()) {
            return checks;
        }
        if (agent.java().runCommand() != null) {
            checks.add(skippedStart(agent));
            return checks;
        }
        String mainClass = agent.java().mainClass() != null ? agent.java().mainClass() : beforeFacts.mainClass();
        if (mainClass == null) {
            checks.add(new ProofCheck("starts", Outcome.FAILED, "no class in " + agent.script().path().getFileName()
                    + " declares main; set main_class: in " + agent.configFile() + ":" + agent.configLine(), Map.of()));
            return checks;
        }
        checks.addAll(measure(agent, site, java, mainClass, site.classpath(agent, there.resolve("before")), site.classpath(agent, there.resolve("after"))));
        return checks;
    }

    private static ProofCheck skippedTests(Agent agent) {
        return new ProofCheck(ProofCheck.AGENT_TESTS, Outcome.SKIPPED, "no test_command configured for " + agent.name(), Map.of());
    }

    private static ProofCheck skippedStart(Agent agent) {
        return new ProofCheck("start-up", Outcome.SKIPPED, "run_command starts " + agent.name()
                + " from a build fleetshell does not make; its start-up is measured after deployment", Map.of());
    }

    private List<ProofCheck> measure(Agent agent, JavaSite site, String java, String mainClass, String beforeClasspath, String afterClasspath) {
        Machine machine = site.machine();
        List<Double> beforeMs = new ArrayList<>();
        List<Double> afterMs = new ArrayList<>();
        // alternate the two versions so that a machine getting busier penalizes both alike
        for (int run = 0; run < settings.runs(); run++) {
            for (boolean rewritten : new boolean[] {false, true}) {
                String classpath = rewritten ? afterClasspath : beforeClasspath;
                Progress.update(agent.id(), "proving: start %d/%d original, %d/%d rewrite".formatted(beforeMs.size() + (rewritten ? 0 : 1), settings.runs(), afterMs.size() + (rewritten ? 1 : 0), settings.runs()));
                StartupTimer.Start start = timer.time(site, java, agent.java().jvmOptions(), classpath, mainClass,
                        machine.fleetRoot(), machine.environment(), false); // a proof compares times, not memory
                if (!start.healthy()) {
                    String which = rewritten ? "the rewritten agent" : "the original agent";
                    return List.of(new ProofCheck("starts", Outcome.FAILED, which + " did not answer /health: " + start.output(),
                            evidence("run", run + 1, "java", java, "main_class", mainClass)));
                }
                (rewritten ? afterMs : beforeMs).add(round(start.millis()));
            }
        }
        List<ProofCheck> checks = new ArrayList<>();
        checks.add(new ProofCheck("starts", Outcome.PASSED, "both versions answered /health 200 in every run",
                evidence("runs", settings.runs(), "java", java, "main_class", mainClass)));
        double[] b = beforeMs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] a = afterMs.stream().mapToDouble(Double::doubleValue).toArray();
        RankTest faster = MannWhitney.lessThan(a, b);
        RankTest slower = MannWhitney.greaterThan(a, b);
        double medianBefore = Stats.of(beforeMs).median();
        double medianAfter = Stats.of(afterMs).median();
        double change = medianAfter - medianBefore;
        String summary = "start to healthy %.0f -> %.0f ms median (%+.0f ms, %+.0f%%) over %d+%d runs".formatted(
                medianBefore, medianAfter, change, 100 * change / medianBefore, a.length, b.length);
        Map<String, Object> evidence = evidence("before_ms", beforeMs, "after_ms", afterMs,
                "median_before_ms", round(medianBefore), "median_after_ms", round(medianAfter), "change_ms", round(change),
                "method", faster.method(), "u", faster.u(), "p_faster", faster.pValue(), "p_slower", slower.pValue(), "alpha", settings.alpha());
        if (slower.significant(settings.alpha())) {
            checks.add(new ProofCheck("start-up", Outcome.FAILED, summary + ": significantly slower (%s)".formatted(slower.p()), evidence));
        } else {
            checks.add(new ProofCheck("start-up", Outcome.PASSED, summary + (faster.significant(settings.alpha())
                    ? ": faster, " + faster.p()
                    : ": not significantly different (%s); %s".formatted(faster.p(),
                    a.length < MannWhitney.minimumPerSide(settings.alpha()) ? "too few runs to tell" : "within the noise")), evidence));
        }
        return checks;
    }

    /** The agent's test_command on its machine, in the fleet root there, {@code {script}} naming the shipped rewrite. */
    private ProofCheck runTests(Agent agent, JavaSite site, Path rewrittenCopy) {
        Machine machine = site.machine();
        String command = agent.commands().test();
        String expanded = command.replace("{name}", agent.name()).replace("{machine}", agent.machine())
                .replace("{script}", rewrittenCopy.toString());
        ProcessResult result;
        try {
            result = site.host().run(ProcessRun.shell(expanded).in(machine.fleetRoot()).environment(machine.environment()).mergingErrors()
                    .timeout(settings.testTimeout()));
        } catch (CannotStartException e) {
            return new ProofCheck(ProofCheck.AGENT_TESTS, Outcome.FAILED, "cannot run test_command: " + e.getMessage(), evidence("command", expanded));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProofCheck(ProofCheck.AGENT_TESTS, Outcome.FAILED, "interrupted", evidence("command", expanded));
        }
        List<String> output = result.stdout().lines().toList();
        List<String> tail = output.subList(Math.max(0, output.size() - 20), output.size());
        if (result.timedOut()) {
            return new ProofCheck(ProofCheck.AGENT_TESTS, Outcome.FAILED, "test_command did not finish within " + settings.testTimeout().toSeconds() + " s",
                    evidence("command", expanded, "output", tail));
        }
        int status = result.exitStatus();
        return new ProofCheck(ProofCheck.AGENT_TESTS, status == 0 ? Outcome.PASSED : Outcome.FAILED,
                status == 0 ? "test_command passed on the rewritten file" : "test_command failed with status " + status,
                evidence("command", expanded, "status", status, "output", tail));
    }

    private static Map<String, Object> evidence(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
