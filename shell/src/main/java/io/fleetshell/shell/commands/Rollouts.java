package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.analysis.PythonFacts;
import io.fleetshell.engine.gate.Gate;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.optimize.Optimization;
import io.fleetshell.engine.optimize.Optimizer;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.proof.Prover;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.HealthGate;
import io.fleetshell.engine.rollout.PatternStepProver;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.rollout.SupervisorRuntime;
import io.fleetshell.engine.runtime.ProbeTarget;
import io.fleetshell.engine.runtime.Supervisor;
import io.fleetshell.engine.rollout.WrittenFileProver;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Host;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the shell builds a rollout: the store, the runtime (health endpoints and restart_command), the gates,
 * the prover (the patterns' proof, then the written file's own checks) and the executor. One place, so
 * that batch deploy, deploy resume, rollback and deploy recover act on the fleet the same way.
 */
@Component
public class Rollouts {

    /** How long an agent may take to answer /health after a restart before its health gate fails. */
    static final Duration HEALTH_LIMIT = Duration.ofSeconds(30);
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);

    private final ShellSession session;

    public Rollouts(ShellSession session) {
        this.session = session;
    }

    DeploymentStore store() {
        return new DeploymentStore(session.database());
    }

    AgentRuntime runtime(Inventory inventory) {
        return new SupervisorRuntime(new Supervisor(session.home(), inventory, session.runtime(), HEALTH_LIMIT, Duration.ofSeconds(10)));
    }

    /**
     * Healthy again after the restart (waits up to 30 s), then the runtime gates against the agent's baseline:
     * health, time-to-healthy, p95 latency, error rate, memory (each holds when its data is thin).
     */
    List<Gate> gates(Inventory inventory) {
        List<Gate> gates = new java.util.ArrayList<>();
        gates.add(new HealthGate(HEALTH_LIMIT, agent -> ProbeTarget.of(agent, inventory)));
        gates.addAll(session.gates(inventory).all());
        return gates;
    }

    /** The patterns' rewrite of one agent, unproved (the rollout proves it once written). */
    Optimization rewrite(Inventory inventory, Agent agent, List<Pattern> patterns) {
        Machine machine = inventory.machine(agent.machine()).orElseThrow();
        if (agent.language() == io.fleetshell.engine.inventory.Language.JAVA) {
            return new io.fleetshell.engine.optimize.JavaOptimizer(javaAnalyzer(), null).optimize(agent, machine, patterns);
        }
        return new Optimizer(new PythonFacts(session.home().helpers()), session.settings().sideEffectModules(), null)
                .optimize(agent, machine, patterns);
    }

    RolloutExecutor executor(Inventory inventory, Map<AgentId, PatternStepProver.Hints> hints, int proofRuns) {
        Prover prover = new Prover(new Prover.Settings(proofRuns, OptimizeCommands.ALPHA, Duration.ofSeconds(60), COMMAND_TIMEOUT),
                session.home().bytecodeCache());
        io.fleetshell.engine.java.JavaProver javaProver = new io.fleetshell.engine.java.JavaProver(new io.fleetshell.engine.java.JavaProver.Settings(
                proofRuns, Duration.ofSeconds(60), COMMAND_TIMEOUT, OptimizeCommands.ALPHA));
        PatternStepProver stepProver = new PatternStepProver(prover, inventory, hints, new WrittenFileProver(inventory, COMMAND_TIMEOUT),
                javaProver, javaAnalyzer());
        return new RolloutExecutor(store(), lookup(inventory), stepProver, gates(inventory), runtime(inventory), Host.name());
    }

    /** Java sources are analyzed with the heavy list of settings.yaml. */
    io.fleetshell.engine.java.JavaAnalyzer javaAnalyzer() {
        return new io.fleetshell.engine.java.JavaAnalyzer(io.fleetshell.engine.java.HeavyCalls.fromSettings(session.home().settings()),
                io.fleetshell.engine.java.JavaSource.DEFAULT_LEVEL);
    }

    /** The patterns a stored step names, from its language's registry. */
    static List<Pattern> patternsOf(Agent agent, String combined) {
        return java.util.Arrays.stream(combined.split("\\+")).map(id -> agent.language() == io.fleetshell.engine.inventory.Language.JAVA
                ? io.fleetshell.engine.java.JavaPatterns.byId(id) : io.fleetshell.engine.pattern.Patterns.byId(id)).toList();
    }

    /** An executor for restores only (rollback, abort): it proves nothing. */
    RolloutExecutor restorer(Inventory inventory) {
        return new RolloutExecutor(store(), lookup(inventory), (agent, rewrite) -> {
            throw new IllegalStateException("a rollback proves nothing");
        }, List.of(), runtime(inventory), Host.name());
    }

    /** The proof hints of the pending steps of a stored deployment, computed again from the files (still originals). */
    Map<AgentId, PatternStepProver.Hints> hintsFor(Inventory inventory, List<StoredStep> pending) {
        Map<AgentId, PatternStepProver.Hints> hints = new HashMap<>();
        for (StoredStep step : pending) {
            Agent agent = lookup(inventory).apply(step.agent());
            if (agent == null) {
                continue;
            }
            try {
                List<Pattern> patterns = patternsOf(agent, step.pattern());
                Optimization o = rewrite(inventory, agent, patterns);
                hints.put(agent.id(), new PatternStepProver.Hints(o.deferredNames(), o.removedNames()));
            } catch (FleetshellException e) {
                // the step drifts or fails its proof with the reason when it runs
            }
        }
        return hints;
    }

    static java.util.function.Function<AgentId, Agent> lookup(Inventory inventory) {
        return id -> inventory.agents().stream().filter(a -> a.id().equals(id)).findFirst().orElse(null);
    }

    /** The deployment an optional id names: that one, else the one holding the lock, else the newest. */
    Deployment deployment(Integer id) {
        DeploymentStore store = store();
        if (id != null) {
            return store.deployment(id).orElseThrow(() -> new FleetshellException(ErrorCode.UNKNOWN_NAME,
                    "there is no deployment " + id + "; deploy status lists them"));
        }
        return store.lockHolder().map(h -> h.deploymentId()).flatMap(d -> d == null ? java.util.Optional.empty() : store.deployment(d))
                .or(() -> store.deployments(1).stream().findFirst())
                .orElseThrow(() -> new FleetshellException(ErrorCode.UNKNOWN_NAME, "no deployment yet: batch deploy starts one"));
    }
}
