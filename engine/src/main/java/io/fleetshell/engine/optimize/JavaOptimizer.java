package io.fleetshell.engine.optimize;

import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.java.JavaSite;
import io.fleetshell.engine.python.Interpreters;
import java.util.concurrent.ConcurrentHashMap;
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
 * combined rewrite with {@link JavaProver} and profiles JVM starts with {@link JavaProfiler}: the agent's file is read on
 * its machine's host, compiled here and started there ({@link JavaSite}). Reads the agent's file; never writes it.
 */
public final class JavaOptimizer implements AgentOptimizer<JavaFacts> {

    private static final Host THIS_COMPUTER = new LocalHost("local", Path.of(System.getProperty("java.io.tmpdir")));

    private final JavaAnalyzer analyzer;
    private final JavaProver prover;
    private final JavaBuildCache builds;
    private final Hosts hosts;
    private final Interpreters interpreters = new Interpreters();
    private final Map<String, JavaSite> sites = new ConcurrentHashMap<>();

    /** Every machine on this computer. */
    public JavaOptimizer(JavaAnalyzer analyzer, JavaProver prover, JavaBuildCache builds) {
        this(analyzer, prover, builds, null);
    }

    /**
     * @param prover the prover, or null to skip proofs
     * @param builds where {@code profile} keeps the agents' builds
     * @param hosts  each machine's host, where its Java agents' sources are read and their JVMs started (null: every
     *               machine is this computer)
     */
    public JavaOptimizer(JavaAnalyzer analyzer, JavaProver prover, JavaBuildCache builds, Hosts hosts) {
        this.analyzer = analyzer;
        this.prover = prover;
        this.builds = builds;
        this.hosts = hosts;
    }

    private Host host(Machine machine) {
        return hosts == null ? THIS_COMPUTER : hosts.of(machine);
    }

    /** Where the machine's Java agents are started: its host, with its interpreter there to ask for free ports. */
    private JavaSite site(Machine machine) {
        return sites.computeIfAbsent(machine.name(), name -> {
            Host host = host(machine);
            return new JavaSite(host, machine, interpreters.of(host, machine));
        });
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

    @Override
    public String runtimeLabel(String version) {
        return Language.JAVA.runtimeLabel(version);
    }

    @Override
    public Pattern<JavaFacts> pattern(String id) {
        return JavaPatterns.byId(id);
    }

    /** Java sources are read on their machine's host and parsed in this process with JavaParser. */
    @Override
    public List<AgentScore> score(Inventory inventory, List<Agent> agents, Function<Agent, MeasuredLoad> baselines) {
        return agents.stream().map(agent -> {
            JavaFacts facts = agent.script().found() && !agent.infrastructure() ? facts(inventory, agent) : null;
            MeasuredLoad baseline = baselines.apply(agent);
            String note = Baselines.staleNote(agent, baseline, facts != null, facts == null ? null : facts.sha256(), "source");
            MeasuredLoad used = note == null ? baseline : null;
            return JavaScorer.score(agent, facts, used == null ? null : used.profile(), used == null ? 0 : used.version(), note);
        }).toList();
    }

    private JavaFacts facts(Inventory inventory, Agent agent) {
        Machine machine = inventory.machine(agent.machine()).orElseThrow();
        Path file = agent.script().path();
        try {
            return analyzer.analyze(file, HostScripts.read(host(machine), machine, file));
        } catch (FleetshellException e) {
            return analyzer.unreadable(file, e.getMessage());
        }
    }

    /** One agent at a time: a JVM start takes both cores of a small machine for a moment. */
    @Override
    public List<Measurement> profile(Inventory inventory, List<Agent> agents, int runs, int parallel, Duration timeout,
                                     Consumer<AgentProfile> done) {
        JavaProfiler profiler = new JavaProfiler(timeout, analyzer, builds);
        List<Measurement> measured = new ArrayList<>();
        for (Agent agent : agents) {
            Machine machine = inventory.machine(agent.machine()).orElseThrow();
            JavaSite site = site(machine);
            byte[] source = null;
            String unreadable = null;
            try {
                source = HostScripts.read(site.host(), machine, agent.script().path());
            } catch (FleetshellException e) {
                unreadable = e.getMessage();
            }
            String sha256 = source == null ? null : Checksums.sha256(source);
            Progress.update(agent.id(), "compiling, then timing start to healthy");
            AgentProfile p = profiler.profile(agent, site, source, unreadable, runs);
            Progress.end(agent.id());
            measured.add(new Measurement(p, sha256));
            done.accept(p);
        }
        return measured;
    }

    /** Both versions are built from the rewrite's bytes, so the file as written is not read here. */
    @Override
    public Proof proveWritten(Agent agent, Machine machine, Rewrite rewrite, ProofHints hints) {
        return prover.prove(agent, site(machine), rewrite, analyzer.analyze(rewrite.file(), rewrite.before())).withoutSkipped(ProofCheck.AGENT_TESTS);
    }

    @Override
    public Optimization optimize(Agent agent, Machine machine, List<Pattern<JavaFacts>> patterns) {
        Optimizable.require(agent, "source");
        Path file = agent.script().path();
        byte[] original = HostScripts.read(host(machine), machine, file);
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
        Proof proof = prover != null && combined.changes() ? prover.prove(agent, site(machine), combined, facts) : null;
        // the java the proof built for and timed with, as it asked the machine; nothing asked it when nothing changed
        String version = site(machine).asked(agent).map(JavaSite.Java::label).orElse("java");
        return new Optimization(agent, agent.java().launcher(), version, applicability, combined, deferred, List.of(), proof);
    }

    private static boolean appliesTo(Pattern<JavaFacts> pattern, HeavyInitializer h) {
        return switch (pattern.id()) {
            case io.fleetshell.engine.java.HoldStaticFieldLazily.ID -> h.kind() == HeavyInitializer.Kind.STATIC_FIELD;
            case io.fleetshell.engine.java.MemoizeHeavyField.ID -> h.kind() == HeavyInitializer.Kind.INSTANCE_FIELD;
            default -> false;
        };
    }
}
