package io.fleetshell.engine.optimize;

import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.Progress;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.java.HeavyInitializer;
import io.fleetshell.engine.java.JavaAnalyzer;
import io.fleetshell.engine.java.JavaBuildCache;
import io.fleetshell.engine.java.JavaFacts;
import io.fleetshell.engine.java.JavaProver;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternChain;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Language;
import io.fleetshell.engine.java.JavaPatterns;
import io.fleetshell.engine.java.JavaProfiler;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.engine.java.JavaScorer;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Java agents' optimizer, the counterpart of {@link PythonOptimizer}: scores them from JavaParser facts,
 * rewrites one (refusing infrastructure agents, missing sources and files that do not parse, with line and
 * column; the Java patterns run in order, each on the previous one's output analyzed afresh), proves the
 * combined rewrite with {@link JavaProver} (compiled and started in a temporary directory) and profiles JVM
 * starts with {@link JavaProfiler}. Reads the agent's file; never writes it.
 */
public final class JavaOptimizer implements AgentOptimizer<JavaFacts> {

    private final JavaAnalyzer analyzer;
    private final JavaProver prover;
    private final JavaBuildCache builds;

    /**
     * @param prover the prover, or null to skip proofs
     * @param builds where {@code profile} keeps the agents' builds
     */
    public JavaOptimizer(JavaAnalyzer analyzer, JavaProver prover, JavaBuildCache builds) {
        this.analyzer = analyzer;
        this.prover = prover;
        this.builds = builds;
    }

    @Override
    public Language language() {
        return Language.JAVA;
    }

    @Override
    public List<Pattern<JavaFacts>> patterns() {
        return JavaPatterns.all();
    }

    @Override
    public String runner(Agent agent, Machine machine) {
        return agent.java().launcher();
    }

    @Override
    public String runsNoun() {
        return "JVM starts";
    }

    /** The version is already {@code java N}. */
    @Override
    public String runtimeLabel(String version) {
        return version;
    }

    @Override
    public Pattern<JavaFacts> pattern(String id) {
        return JavaPatterns.byId(id);
    }

    /** Java sources are parsed in this process with JavaParser. */
    @Override
    public List<AgentScore> score(Inventory inventory, List<Agent> agents, Function<Agent, MeasuredLoad> baselines) {
        return agents.stream().map(agent -> {
            JavaFacts facts = agent.script().found() && !agent.infrastructure() ? analyzer.analyze(agent.script().path()) : null;
            MeasuredLoad baseline = baselines.apply(agent);
            String note = Baselines.staleNote(agent, baseline, facts != null, facts == null ? null : facts.sha256(), "source");
            MeasuredLoad used = note == null ? baseline : null;
            return JavaScorer.score(agent, facts, used == null ? null : used.profile(), used == null ? 0 : used.version(), note);
        }).toList();
    }

    @Override
    public java.util.Optional<String> notProfiled(Agent agent, Machine machine) {
        return JavaProfiler.notHere(agent, machine);
    }

    /** One agent at a time: a JVM start takes both cores of a small machine for a moment. */
    @Override
    public List<Measurement> profile(Inventory inventory, List<Agent> agents, int runs, int parallel, Duration timeout,
                                     Consumer<AgentProfile> done) {
        JavaProfiler profiler = new JavaProfiler(timeout, analyzer, builds);
        List<Measurement> measured = new ArrayList<>();
        for (Agent agent : agents) {
            String sha256 = Checksums.sha256(agent.script().path());
            Progress.update(agent.id(), "compiling, then timing start to healthy");
            AgentProfile p = profiler.profile(agent, inventory.machine(agent.machine()).orElseThrow(), runs);
            Progress.end(agent.id());
            measured.add(new Measurement(p, sha256));
            done.accept(p);
        }
        return measured;
    }

    /** Both versions are built from the rewrite's bytes, so the file as written is not read here. */
    @Override
    public Proof proveWritten(Agent agent, Machine machine, Rewrite rewrite, ProofHints hints) {
        requireHere(agent, machine);
        return prover.prove(agent, machine, rewrite, analyzer.analyze(rewrite.file(), rewrite.before())).withoutSkipped(ProofCheck.AGENT_TESTS);
    }

    @Override
    public Optimization optimize(Agent agent, Machine machine, List<Pattern<JavaFacts>> patterns) {
        Optimizable.require(agent, "source");
        requireHere(agent, machine);
        Path file = agent.script().path();
        byte[] original = SafeFiles.readScript(machine.fleetRoot(), file);
        JavaFacts facts = analyzer.analyze(file, original);
        if (!facts.parsed()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s:%s:%s: %s. %s is not optimized until the file parses at %s; nothing was changed."
                    .formatted(file, facts.error().line(), facts.error().column(), facts.error().message(), agent.id(), facts.languageLevel()));
        }
        List<String> deferred = new ArrayList<>();
        PatternChain<JavaFacts> chain = new PatternChain<>(bytes -> analyzer.analyze(file, bytes), bytes -> Map.of(), false);
        PatternChain.Result chained = chain.apply(agent.id().toString(), file, original, facts, null, patterns, (pattern, input, rewrite) -> {
            if (rewrite.changes()) {
                input.facts().deferrable().stream().filter(h -> h.kind() != HeavyInitializer.Kind.STATIC_BLOCK && appliesTo(pattern, h))
                        .forEach(h -> deferred.add(h.label()));
            }
        });
        Rewrite combined = chained.rewrite();
        Map<String, Applicability> applicability = chained.applicability();
        Proof proof = prover != null && combined.changes() ? prover.prove(agent, machine, combined, facts) : null;
        return new Optimization(agent, agent.java().launcher(), "java " + Runtime.version().feature(), applicability, combined, deferred, List.of(), proof);
    }

    /**
     * A Java agent's rewrite is compiled, started and proved with this computer's JDK: one of a machine reached over ssh
     * is refused unless its fleet root is reachable here at the same path (a mount or a synced copy), rather than failing
     * later on a file that is not here. (Python agents are proved on their machine.)
     */
    private static void requireHere(Agent agent, Machine machine) {
        if (machine.ssh() != null && !java.nio.file.Files.isDirectory(machine.fleetRoot())) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, ("%s is a Java agent on machine %s, reached over ssh (%s): its rewrite "
                    + "is compiled and proved with this computer's JDK, which needs the machine's fleet root %s at the same path here, and it "
                    + "is not a directory here. Mount or sync it there; nothing was changed.")
                    .formatted(agent.id(), machine.name(), machine.ssh().describe(), machine.fleetRoot()));
        }
    }

    private static boolean appliesTo(Pattern<JavaFacts> pattern, HeavyInitializer h) {
        return switch (pattern.id()) {
            case io.fleetshell.engine.java.HoldStaticFieldLazily.ID -> h.kind() == HeavyInitializer.Kind.STATIC_FIELD;
            case io.fleetshell.engine.java.MemoizeHeavyField.ID -> h.kind() == HeavyInitializer.Kind.INSTANCE_FIELD;
            default -> false;
        };
    }
}
