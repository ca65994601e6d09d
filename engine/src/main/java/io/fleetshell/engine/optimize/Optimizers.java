package io.fleetshell.engine.optimize;

import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Language;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.java.HeavyCalls;
import io.fleetshell.engine.java.JavaAnalyzer;
import io.fleetshell.engine.java.JavaBuildCache;
import io.fleetshell.engine.java.JavaProver;
import io.fleetshell.engine.java.JavaSource;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.EffectFloor;
import io.fleetshell.engine.python.Prover;
import io.fleetshell.engine.score.AgentScore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one place that chooses by an agent's language: each call hands the agents to their language's
 * {@link AgentOptimizer} and gives the answers back in the agents' order. Commands, the planner, the
 * rollout's proof and the playbooks' fleet go through it, so none of them asks which language an agent is in.
 */
public final class Optimizers {

    /**
     * Where the optimizers find their tools and the user's settings.
     *
     * @param sideEffectModules modules whose imports are never deferred or removed
     * @param bytecodeCache     where profiled and proved Python loads keep their bytecode
     * @param heavyCalls        what the Java analysis counts as a heavy initializer
     * @param javaBuilds        where profiled and proved Java agents' builds are kept
     * @param hosts             each machine's host, where its Python agents are read, analyzed and proved (null: every
     *                          machine is this computer)
     */
    public record Setup(Set<String> sideEffectModules, Path bytecodeCache, HeavyCalls heavyCalls, JavaBuildCache javaBuilds,
                        Hosts hosts) {
    }

    /**
     * How rewrites are proved, in both languages.
     *
     * @param runs        fresh loads (or JVM starts) of each version
     * @param alpha       significance level of the rank test
     * @param loadTimeout how long one load or start may take
     * @param testTimeout how long the agent's test_command may run
     * @param floor       the least load-time gain a Python proof counts (settings.yaml {@code proof_min_gain})
     */
    public record ProofSettings(int runs, double alpha, Duration loadTimeout, Duration testTimeout, EffectFloor floor) {

        /** With the default effect floor. */
        public ProofSettings(int runs, double alpha, Duration loadTimeout, Duration testTimeout) {
            this(runs, alpha, loadTimeout, testTimeout, EffectFloor.DEFAULT);
        }
    }

    private final Map<Language, AgentOptimizer<?>> byLanguage = new HashMap<>();

    public Optimizers(PythonOptimizer python, JavaOptimizer java) {
        byLanguage.put(Language.PYTHON, python);
        byLanguage.put(Language.JAVA, java);
    }

    /** The optimizers of a setup; with {@code proof} null they rewrite without proving (planning does). */
    public static Optimizers of(Setup setup, ProofSettings proof) {
        Prover prover = proof == null ? null : new Prover(new Prover.Settings(proof.runs(), proof.alpha(), proof.loadTimeout(),
                proof.testTimeout(), proof.floor()), setup.bytecodeCache());
        JavaProver javaProver = proof == null ? null : new JavaProver(new JavaProver.Settings(proof.runs(), proof.loadTimeout(),
                proof.testTimeout(), proof.alpha()), setup.javaBuilds());
        return new Optimizers(new PythonOptimizer(new PythonFacts(), setup.sideEffectModules(), prover, setup.bytecodeCache(),
                setup.hosts()),
                new JavaOptimizer(new JavaAnalyzer(setup.heavyCalls(), JavaSource.DEFAULT_LEVEL), javaProver, setup.javaBuilds(), setup.hosts()));
    }

    /** The optimizer of the agent's language. */
    public AgentOptimizer<?> of(Agent agent) {
        return byLanguage.get(agent.language());
    }

    /** Whether a rollout of this pattern (null: each language's own) rewrites the agent: not when it is another language's. */
    public boolean takes(Agent agent, String patternId) {
        return patternId == null || of(agent).patterns().stream().anyMatch(p -> p.id().equals(patternId));
    }

    /** The language whose pattern this is, for a message saying why an agent of another language is left out. */
    public Optional<Language> languageOf(String patternId) {
        return byLanguage.values().stream().filter(o -> o.patterns().stream().anyMatch(p -> p.id().equals(patternId)))
                .map(AgentOptimizer::language).findFirst();
    }

    /** Fails with the error naming the known patterns unless some language has this one. */
    public void requireKnown(String patternId) {
        if (languageOf(patternId).isEmpty()) {
            PythonPatterns.byId(patternId);
        }
    }

    /** The agents' scores in their order, each from its language's facts and its latest baseline (or null). */
    public List<AgentScore> score(Inventory inventory, List<Agent> agents, Function<Agent, AgentOptimizer.MeasuredLoad> baselines) {
        Map<Agent, AgentScore> scores = new HashMap<>();
        for (AgentOptimizer<?> optimizer : byLanguage.values()) {
            List<Agent> own = agents.stream().filter(a -> a.language() == optimizer.language()).toList();
            if (!own.isEmpty()) {
                List<AgentScore> scored = optimizer.score(inventory, own, baselines);
                for (int i = 0; i < own.size(); i++) {
                    scores.put(own.get(i), scored.get(i));
                }
            }
        }
        return agents.stream().map(scores::get).toList();
    }

    /** Profiles the agents, Python ones first (in parallel), then Java ones; every agent's file exists. */
    public List<AgentOptimizer.Measurement> profile(Inventory inventory, List<Agent> agents, int runs, int parallel, Duration timeout,
                                                    Consumer<AgentProfile> done) {
        List<AgentOptimizer.Measurement> measured = new ArrayList<>();
        for (Language language : List.of(Language.PYTHON, Language.JAVA)) {
            List<Agent> own = agents.stream().filter(a -> a.language() == language).toList();
            if (!own.isEmpty()) {
                measured.addAll(byLanguage.get(language).profile(inventory, own, runs, parallel, timeout, done));
            }
        }
        return measured;
    }

    /**
     * {@code AGENT (RUNNER) with PATTERNS; proving with N RUNS of each version}: what {@code optimize} is about to do.
     * A pattern the agent's language does not have is a bad-input error naming the language's patterns.
     */
    public String describe(Inventory inventory, Agent agent, String patternId, int runs) {
        AgentOptimizer<?> optimizer = of(agent);
        List<String> ids = patternId == null ? optimizer.patterns().stream().map(Pattern::id).toList() : List.of(optimizer.pattern(patternId).id());
        return "%s (%s) with %s; proving with %d %s of each version".formatted(agent.id(), optimizer.runner(agent, machine(inventory, agent)),
                String.join(", ", ids), runs, optimizer.runsNoun());
    }

    /** How {@code optimize} names the runtime the optimization was made for: {@code Python 3.11.2}, {@code java 25}. */
    public String runtimeLabel(Optimization optimization) {
        return of(optimization.agent()).runtimeLabel(optimization.pythonVersion());
    }

    /** Rewrites (and proves, when these optimizers prove) one agent of the inventory with one pattern, or null for all its language's. */
    public Optimization optimize(Inventory inventory, Agent agent, String patternId) {
        return optimize(of(agent), agent, machine(inventory, agent), patternId);
    }

    private static <F> Optimization optimize(AgentOptimizer<F> optimizer, Agent agent, Machine machine, String patternId) {
        return optimizer.optimize(agent, machine, patternId == null ? optimizer.patterns() : List.of(optimizer.pattern(patternId)));
    }

    /** The patterns' proof of a rewrite the rollout has written. */
    public Proof proveWritten(Inventory inventory, Agent agent, Rewrite rewrite, ProofHints hints) {
        return of(agent).proveWritten(agent, machine(inventory, agent), rewrite, hints);
    }

    /** The agent's machine, whose host each language's optimizer asks for the agent's files and processes. */
    private static Machine machine(Inventory inventory, Agent agent) {
        return inventory.machine(agent.machine()).orElseThrow();
    }
}
