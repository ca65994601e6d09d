package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.compare.AnalysisRun;
import io.fleetshell.engine.compare.AnalysisSettings;
import io.fleetshell.engine.java.HeavyCalls;
import io.fleetshell.engine.java.JavaBuildCache;
import io.fleetshell.engine.optimize.Optimizers;
import io.fleetshell.engine.proof.EffectFloor;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.gate.Gate;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.HealthGate;
import io.fleetshell.engine.optimize.PythonOptimizer;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.python.shared.DependentsProof;
import io.fleetshell.engine.python.shared.SharedModuleOptimizer;
import io.fleetshell.engine.rollout.PatternStepProver;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.SupervisorRuntime;
import io.fleetshell.engine.runtime.Supervisor;
import io.fleetshell.engine.rollout.WrittenFileProver;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Host;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;

/**
 * How the shell builds the engine's services with its session: the optimizers, the planner, the store, the
 * runtime (health endpoints and restart_command), the gates, the prover (the patterns' proof, then the written
 * file's own checks) and the executor. One place, so that batch deploy, optimize, playbooks, deploy resume,
 * rollback and deploy recover act on the fleet the same way.
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
        return new SupervisorRuntime(supervisor(inventory));
    }

    private Supervisor supervisor(Inventory inventory) {
        return new Supervisor(session.home(), inventory, session.runtime(), HEALTH_LIMIT, Duration.ofSeconds(10));
    }

    /**
     * The analysis run of every rollout: settings.yaml's {@code analysis:} section merged per agent with its
     * startup-config entry's {@code config: {analysis:}}. Every agent's settings are checked here, so a bad value (or a
     * request to another host than the agent's) stops the command before anything is written.
     */
    AnalysisRun analysis(Inventory inventory) {
        Object section = analysisSection();
        String where = session.home().settings().toString();
        AnalysisSettings.validate(section, where);
        for (Agent agent : inventory.agents()) {
            AnalysisSettings settings = AnalysisSettings.of(agent, section, where);
            if (settings.traffic() != null) {
                settings.traffic().target(agent);
            }
        }
        return new AnalysisRun(supervisor(inventory), session.runtime(), session.gates(inventory), session.settings().thresholds(),
                agent -> AnalysisSettings.of(agent, section, where));
    }

    private Object analysisSection() {
        java.nio.file.Path file = session.home().settings();
        if (!java.nio.file.Files.isRegularFile(file)) {
            return null;
        }
        try {
            Object root = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                    .loadFromString(java.nio.file.Files.readString(file));
            return root instanceof java.util.Map<?, ?> map ? map.get(AnalysisSettings.KEY) : null;
        } catch (java.io.IOException e) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * Healthy again after the restart (waits up to 30 s); the analysis run then measures both sides and runs the runtime
     * gates (time-to-healthy, latency, error rate, memory) on them.
     */
    List<Gate> gates(Inventory inventory) {
        Supervisor supervisor = supervisor(inventory);
        return List.of(new HealthGate(HEALTH_LIMIT, supervisor::healthTarget));
    }

    /**
     * The engine's optimizers with this shell's settings (side-effect modules, heavy calls, bytecode cache);
     * with {@code proofRuns} null they rewrite without proving, as planning does.
     */
    Optimizers optimizers(Integer proofRuns) {
        Optimizers.Setup setup = new Optimizers.Setup(session.settings().sideEffectModules(),
                session.home().bytecodeCache(), HeavyCalls.fromSettings(session.home().settings()),
                JavaBuildCache.in(session.home().javaBuilds()), session.hosts());
        return Optimizers.of(setup, proofRuns == null ? null
                : new Optimizers.ProofSettings(proofRuns, OptimizeCommands.ALPHA, Duration.ofSeconds(60), COMMAND_TIMEOUT,
                        EffectFloor.fromSettings(session.home().settings())));
    }

    /**
     * {@code optimize MODULE}'s optimizer: a shared module rewritten with this shell's settings and, with {@code proofPairs}
     * not null, proved on every dependent with about that many paired loads in all, on the dependents' machine.
     */
    SharedModuleOptimizer sharedModules(Integer proofPairs) {
        PythonOptimizer python = new PythonOptimizer(new PythonFacts(), session.settings().sideEffectModules(), null,
                session.home().bytecodeCache(), session.hosts());
        DependentsProof proof = proofPairs == null ? null : new DependentsProof(proofPairs, OptimizeCommands.ALPHA,
                EffectFloor.fromSettings(session.home().settings()), Duration.ofSeconds(60), COMMAND_TIMEOUT, session.home().bytecodeCache());
        return new SharedModuleOptimizer(python, proof);
    }

    /** The planner: each agent rewritten by its language's patterns, unproved (the rollout proves it once written). */
    Planner planner() {
        return new Planner(optimizers(null));
    }

    /** The executor of plans and stored deployments: each step proved with the hints stored with it. */
    RolloutExecutor executor(Inventory inventory, int proofRuns) {
        PatternStepProver stepProver = new PatternStepProver(optimizers(proofRuns), inventory, new WrittenFileProver(inventory, COMMAND_TIMEOUT, session.hosts()));
        return new RolloutExecutor(store(), lookup(inventory), sharing(inventory), stepProver, gates(inventory), analysis(inventory),
                runtime(inventory), Host.name()).onHosts(hosts(inventory), roots(inventory));
    }

    /**
     * The executor of {@code optimize}'s one-agent deployment, whose patterns' proof already ran: it proves only
     * the file as written, then restarts and gates like {@code batch deploy}.
     */
    RolloutExecutor writtenFileExecutor(Inventory inventory) {
        return new RolloutExecutor(store(), lookup(inventory), sharing(inventory), new WrittenFileProver(inventory, COMMAND_TIMEOUT, session.hosts()),
                gates(inventory), analysis(inventory), runtime(inventory), Host.name()).onHosts(hosts(inventory), roots(inventory));
    }

    /** An executor for restores only (rollback, abort): it proves nothing. */
    RolloutExecutor restorer(Inventory inventory) {
        return new RolloutExecutor(store(), lookup(inventory), sharing(inventory), (agent, rewrite, hints) -> {
            throw new IllegalStateException("a rollback proves nothing");
        }, List.of(), null, runtime(inventory), Host.name()).onHosts(hosts(inventory), roots(inventory));
    }

    /**
     * The machine each agent is on, as a transport ({@code engine/host}): where its files are read and written. An agent
     * no longer in the inventory is taken to be on this computer, as it was before machines had a transport.
     */
    /** Each subject's fleet root (an agent's, or a shared module's machine), or null for a machine not in the inventory. */
    static java.util.function.Function<AgentId, java.nio.file.Path> roots(Inventory inventory) {
        return id -> inventory.machine(id.machine()).map(io.fleetshell.engine.inventory.Machine::fleetRoot).orElse(null);
    }

    java.util.function.Function<AgentId, io.fleetshell.engine.host.Host> hosts(Inventory inventory) {
        return id -> inventory.machine(id.machine()).map(m -> session.hosts().of(m)).orElseGet(() -> session.hosts().local());
    }

    /** The agents whose script is the file (one file, one step). */
    static java.util.function.Function<java.nio.file.Path, List<Agent>> sharing(Inventory inventory) {
        return file -> inventory.agents().stream().filter(a -> a.script().found() && a.script().path() != null
                && a.script().path().toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize())).toList();
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
