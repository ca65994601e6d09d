package io.fleetshell.engine.playbook;

import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.engine.python.PythonScorer;

import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.optimize.JavaOptimizer;
import io.fleetshell.engine.optimize.PythonOptimizer;
import io.fleetshell.engine.optimize.Optimizers;
import io.fleetshell.engine.java.HeavyCalls;
import io.fleetshell.engine.java.JavaAnalyzer;
import io.fleetshell.engine.java.JavaBuildCache;
import io.fleetshell.engine.java.JavaSource;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.runtime.HealthProbe;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.runtime.ProbeTarget;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo fleet's real inventory, scored from static facts with the real Python helper; records every
 * call so tests can tell whether a playbook reached the fleet. Profiling is refused: the shell's tests
 * cover it through the real profiler.
 */
final class DemoPort implements FleetPort {

    final List<String> calls = new ArrayList<>();
    private final Inventory inventory;
    private final Path helpers;

    DemoPort(Path dir) {
        Path demo = new DemoFleet().install(dir.resolve("demo"), false).dir();
        InventoryLoader loader = new InventoryLoader(Map.of("PORT_OFFSET", "50000"), InventoryLoader.DEFAULT_INFRASTRUCTURE);
        List<LoadedConfig> loaded = DemoFleet.configs(demo).stream().map(loader::load).toList();
        this.inventory = new Inventory(loaded.stream().map(LoadedConfig::machine).toList(),
                loaded.stream().flatMap(l -> l.agents().stream()).toList());
        this.helpers = dir.resolve("helpers");
    }

    @Override
    public Inventory inventory() {
        calls.add("inventory");
        return inventory;
    }

    @Override
    public List<AgentScore> score(List<Agent> agents) {
        calls.add("score " + agents.size());
        List<FileFacts> facts = new PythonFacts().analyzeInParallel("python3",
                agents.stream().map(a -> a.script().path()).toList(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, 2);
        List<AgentScore> scores = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            scores.add(PythonScorer.score(agents.get(i), facts.get(i), null, 0, null));
        }
        return scores;
    }

    @Override
    public List<Profiled> profile(List<Agent> agents, int runs) {
        calls.add("profile " + agents.size());
        throw new UnsupportedOperationException("the engine tests do not profile");
    }

    @Override
    public List<ProbeResult> health(List<Agent> agents) {
        calls.add("health " + agents.size());
        HealthProbe probe = new HealthProbe();
        return agents.stream().map(a -> probe.probe(ProbeTarget.of(a, inventory.machine(a.machine()).orElseThrow()).orElseThrow())).toList();
    }

    @Override
    public MetricsWindow metrics(Agent agent, Duration window) {
        calls.add("metrics " + agent.id());
        return new MetricsWindow(agent, window, 0, null, null, null, null);
    }

    @Override
    public List<GateDecision> gate(Agent agent, List<String> gates, Instant since) {
        calls.add("gate " + agent.id());
        return List.of(GateDecision.cannotEvaluate("health", "the engine tests run no agent"));
    }

    @Override
    public Plan plan(List<Agent> agents, String pattern, RolloutOptions options) {
        calls.add("plan " + agents.size());
        Optimizers optimizers = new Optimizers(new PythonOptimizer(new PythonFacts(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, null),
                new JavaOptimizer(new JavaAnalyzer(HeavyCalls.defaults(), JavaSource.DEFAULT_LEVEL), null, JavaBuildCache.in(helpers.resolveSibling("javac"))));
        return new Planner(optimizers).plan(inventory, agents, pattern, Map.of(), options);
    }

    @Override
    public DeploymentResult deploy(Plan plan, int proofRuns, io.fleetshell.engine.rollout.BatchPolicy policy,
                                   io.fleetshell.engine.rollout.RolloutListener listener) {
        calls.add("deploy " + plan.steps().size());
        throw new UnsupportedOperationException("the engine tests do not deploy; the scripts module's tests do");
    }

    @Override
    public RolloutExecutor.RollbackResult rollback(long deploymentId, String why) {
        calls.add("rollback " + deploymentId);
        throw new UnsupportedOperationException("the engine tests do not roll back");
    }

    /** Calls that would have changed something. */
    List<String> actions() {
        return calls.stream().filter(c -> c.startsWith("profile") || c.startsWith("deploy") || c.startsWith("rollback")).toList();
    }
}
