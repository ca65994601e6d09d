package io.fleetshell.engine.java;

import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.Progress;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.Leftovers;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures a Java agent in fresh JVMs, the counterpart of the Python profiler: per run, the time from
 * spawning {@code java} to {@code /health 200} (the sample's load time) and the peak resident set; and,
 * when some static field can be held lazily, what each such field costs at class initialization,
 * measured by {@code ClassInitProbe} on a build with every holder in place (one "statement" per field,
 * on the field's line). Builds go to a temporary directory; nothing is written into the fleet.
 */
public final class JavaProfiler {

    private final Duration timeout;
    private final JavaAnalyzer analyzer;
    private final JavaBuildCache builds;

    /** @param builds where the builds of the agents and of {@code ClassInitProbe} are kept across runs */
    public JavaProfiler(Duration timeout, JavaAnalyzer analyzer, JavaBuildCache builds) {
        this.timeout = timeout;
        this.analyzer = analyzer;
        this.builds = builds;
    }

    /**
     * Why a Java agent is not profiled: it is compiled with this computer's JDK and started here, so an agent of a
     * machine reached over ssh is profiled only where its source is also here at the same path (its fleet root mounted
     * or synced). Profiling it on its host would need a JDK there of the version the agent is built for, the
     * compiled classes and the class-initialization probe shipped over, and its health port reached: none of which a
     * Python host needs, so it is refused rather than half done.
     */
    public static java.util.Optional<String> notHere(Agent agent, Machine machine) {
        if (machine.ssh() == null || java.nio.file.Files.isRegularFile(agent.script().path())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(("a Java agent is compiled and timed with this computer's JDK, and machine %s is reached over ssh (%s) "
                + "with its source %s not on this computer; mount or sync the fleet root %s at that path to profile it here")
                .formatted(machine.name(), machine.ssh().describe(), agent.script().path(), machine.fleetRoot()));
    }

    public AgentProfile profile(Agent agent, Machine machine, int runs) {
        ProfileTarget target = new ProfileTarget(agent.id(), agent.script().path(), agent.java().launcher(), machine.fleetRoot(),
                machine.environment());
        Path work;
        try {
            work = Leftovers.newTempDirectory("java-profile");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return new AgentProfile(target, samples(agent, machine, runs, work));
        } finally {
            Leftovers.delete(work);
        }
    }

    private List<LoadSample> samples(Agent agent, Machine machine, int runs, Path work) {
        String version = "java " + Runtime.version().feature();
        byte[] source;
        try {
            source = SafeFiles.readScript(machine.fleetRoot(), agent.script().path());
        } catch (FleetshellException e) {
            return List.of(failed(version, "Unreadable", e.getMessage(), null));
        }
        JavaFacts facts = analyzer.analyze(agent.script().path(), source);
        if (!facts.parsed()) {
            return List.of(failed(version, "SyntaxError", facts.error().message(), facts.error().line()));
        }
        JavaBuild.Compiled original = builds.compile(agent, machine.fleetRoot(), source, work.resolve("original"));
        if (!original.ok()) {
            return List.of(failed(version, "CompileError", String.join("; ", original.errors()), null));
        }
        String mainClass = agent.java().mainClass() != null ? agent.java().mainClass() : facts.mainClass();
        if (mainClass == null) {
            return List.of(failed(version, "NoMainClass", "no class declares main; set main_class: in the startup config", null));
        }
        // every holder at once: the probe then times each field's initializer on its own
        Rewrite holders = new HoldStaticFieldLazily().rewrite(new PatternInput<>(agent.name(), agent.script().path(), source, facts, null, Map.of()));
        Map<String, HeavyInitializer> holderClasses = new LinkedHashMap<>();
        JavaBuild.Compiled held = null;
        Path probe = null;
        if (holders.changes()) {
            held = builds.compile(agent, machine.fleetRoot(), holders.after(), work.resolve("held"));
            probe = builds.classInitProbe(work.resolve("probe"));
            String binaryPrefix = mainClass.contains(".") ? mainClass.substring(0, mainClass.lastIndexOf('.') + 1) : "";
            for (HeavyInitializer h : facts.deferrable()) {
                if (h.kind() == HeavyInitializer.Kind.STATIC_FIELD) {
                    holderClasses.put(binaryPrefix + h.owner().replace('.', '$') + "$" + Names.holderClass(h.field()), h);
                }
            }
        }
        StartupTimer timer = new StartupTimer(timeout);
        List<LoadSample> samples = new ArrayList<>();
        timer.time(agent.java().launcher(), agent.java().jvmOptions(), original.classpathString(), mainClass, machine.fleetRoot(),
                machine.environment()); // warm-up: the OS file cache and the CDS archive, as for a Python agent's first load
        for (int run = 1; run <= runs; run++) {
            Progress.count(agent.id(), "start to healthy", run, runs);
            StartupTimer.Start start = timer.time(agent.java().launcher(), agent.java().jvmOptions(), original.classpathString(),
                    mainClass, machine.fleetRoot(), machine.environment());
            if (!start.healthy()) {
                samples.add(new LoadSample(run, false, 0, 0, 0, List.of(), List.of(), version,
                        new LoadSample.LoadError("NotHealthy", start.output(), null)));
                break;
            }
            List<LoadSample.StatementCost> fields = held != null && held.ok()
                    ? probe(agent, machine, probe, held, mainClass, holderClasses) : List.of();
            samples.add(new LoadSample(run, true, start.millis(), start.rssKb(), 0, List.of(), fields, version, null));
        }
        return samples;
    }

    private List<LoadSample.StatementCost> probe(Agent agent, Machine machine, Path probe, JavaBuild.Compiled held, String mainClass,
                                                 Map<String, HeavyInitializer> holderClasses) {
        List<String> command = new ArrayList<>(List.of(agent.java().launcher()));
        command.addAll(agent.java().jvmOptions());
        command.addAll(List.of("-cp", probe + java.io.File.pathSeparator + held.classpathString(), "ClassInitProbe", mainClass));
        command.addAll(holderClasses.keySet());
        ProcessResult result;
        try {
            result = ProcessRun.of(command).in(machine.fleetRoot()).mergingErrors().timeout(timeout).run();
        } catch (CannotStartException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        if (result.timedOut()) {
            return List.of();
        }
        List<LoadSample.StatementCost> costs = new ArrayList<>();
        for (String line : result.stdout().lines().toList()) {
            String[] parts = line.split("\t");
            HeavyInitializer field = parts.length == 3 ? holderClasses.get(parts[0]) : null;
            if (field != null) {
                costs.add(new LoadSample.StatementCost(field.label(), field.line(), Double.parseDouble(parts[1]), Long.parseLong(parts[2])));
            }
        }
        return costs;
    }

    private static LoadSample failed(String version, String type, String message, Integer line) {
        return new LoadSample(1, false, 0, 0, 0, List.of(), List.of(), version, new LoadSample.LoadError(type, message, line));
    }
}
