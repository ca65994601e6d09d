package io.fleetshell.engine.java;

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
 * on the field's line). The JVMs run on the agent's machine ({@link JavaSite}); builds go to a temporary directory here
 * and are shipped to one there, removed afterwards; nothing is written into the fleet.
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
     * Times the agent's starts on its machine: the source (read there by the caller) is compiled here, its classes (and
     * {@code ClassInitProbe} with the held build, when a field can be held) shipped to the machine and started there with
     * its {@code java}; nothing shipped stays.
     *
     * @param source the agent's main source as its machine has it, or null when it could not be read ({@code unreadable} says why)
     */
    public AgentProfile profile(Agent agent, JavaSite site, byte[] source, String unreadable, int runs) {
        Machine machine = site.machine();
        ProfileTarget target = new ProfileTarget(agent.id(), agent.script().path(), agent.java().launcher(), machine.fleetRoot(),
                machine.environment());
        Path work;
        try {
            work = Leftovers.newTempDirectory("java-profile");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return new AgentProfile(target, samples(agent, site, source, unreadable, runs, work));
        } finally {
            Leftovers.delete(work);
        }
    }

    private List<LoadSample> samples(Agent agent, JavaSite site, byte[] source, String unreadable, int runs, Path work) {
        Machine machine = site.machine();
        if (source == null) { // the host may be out of reach: its java is not asked
            return List.of(failed("java", "Unreadable", unreadable, null));
        }
        JavaSite.Java machineJava = site.java(agent);
        String version = machineJava.label();
        JavaFacts facts = analyzer.analyze(agent.script().path(), source);
        if (!facts.parsed()) {
            return List.of(failed(version, "SyntaxError", facts.error().message(), facts.error().line()));
        }
        int release = machineJava.buildRelease();
        JavaBuild.Compiled original = builds.compile(agent, site.host(), machine.fleetRoot(), source, work.resolve("original"), release);
        if (!original.ok()) {
            return List.of(failed(version, "CompileError", String.join("; ", original.errors())
                    + (release < JavaSite.RELEASE ? site.olderReleaseNote(agent, machineJava) + "; nothing was changed" : ""), null));
        }
        String mainClass = agent.java().mainClass() != null ? agent.java().mainClass() : facts.mainClass();
        if (mainClass == null) {
            return List.of(failed(version, "NoMainClass", "no class declares main; set main_class: in the startup config", null));
        }
        String java = machineJava.launcher();
        // every holder at once: the probe then times each field's initializer on its own
        Rewrite holders = new HoldStaticFieldLazily().rewrite(new PatternInput<>(agent.name(), agent.script().path(), source, facts, null, Map.of()));
        Map<String, HeavyInitializer> holderClasses = new LinkedHashMap<>();
        Map<String, Path> shipped = new LinkedHashMap<>(Map.of("original", original.classes()));
        JavaBuild.Compiled held = null;
        if (holders.changes()) {
            held = builds.compile(agent, site.host(), machine.fleetRoot(), holders.after(), work.resolve("held"), release);
            shipped.put("probe", builds.classInitProbe(work.resolve("probe"), release));
            if (held.ok()) {
                shipped.put("held", held.classes());
            }
            String binaryPrefix = mainClass.contains(".") ? mainClass.substring(0, mainClass.lastIndexOf('.') + 1) : "";
            for (HeavyInitializer h : facts.deferrable()) {
                if (h.kind() == HeavyInitializer.Kind.STATIC_FIELD) {
                    holderClasses.put(binaryPrefix + h.owner().replace('.', '$') + "$" + Names.holderClass(h.field()), h);
                }
            }
        }
        Path there = site.ship("java-profile", shipped);
        try {
            String classpath = site.classpath(agent, there.resolve("original"));
            StartupTimer timer = new StartupTimer(timeout);
            List<LoadSample> samples = new ArrayList<>();
            timer.time(site, java, agent.java().jvmOptions(), classpath, mainClass, machine.fleetRoot(),
                    machine.environment(), false); // warm-up: the OS file cache and the CDS archive, as for a Python agent's first load
            for (int run = 1; run <= runs; run++) {
                Progress.count(agent.id(), "start to healthy", run, runs);
                StartupTimer.Start start = timer.time(site, java, agent.java().jvmOptions(), classpath, mainClass, machine.fleetRoot(),
                        machine.environment(), true);
                if (!start.healthy()) {
                    samples.add(new LoadSample(run, false, 0, 0, 0, List.of(), List.of(), version,
                            new LoadSample.LoadError("NotHealthy", start.output(), null)));
                    break;
                }
                List<LoadSample.StatementCost> fields = held != null && held.ok()
                        ? probe(agent, site, java, there, mainClass, holderClasses) : List.of();
                samples.add(new LoadSample(run, true, start.millis(), start.rssKb(), 0, List.of(), fields, version, null));
            }
            return samples;
        } finally {
            site.remove(there);
        }
    }

    /** {@code ClassInitProbe} on the held build, on the machine ({@code there}: what was shipped). */
    private List<LoadSample.StatementCost> probe(Agent agent, JavaSite site, String java, Path there, String mainClass,
                                                 Map<String, HeavyInitializer> holderClasses) {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(agent.java().jvmOptions());
        command.addAll(List.of("-cp", there.resolve("probe") + ":" + site.classpath(agent, there.resolve("held")), "ClassInitProbe", mainClass));
        command.addAll(holderClasses.keySet());
        ProcessResult result;
        try {
            result = site.host().run(ProcessRun.of(command).in(site.machine().fleetRoot()).mergingErrors().timeout(timeout));
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
