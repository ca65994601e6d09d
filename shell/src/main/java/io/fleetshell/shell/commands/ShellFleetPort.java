package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.compare.Gates;
import io.fleetshell.engine.gate.Gate;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.metrics.RequestStats;
import io.fleetshell.engine.playbook.FleetPort;
import io.fleetshell.engine.rollout.BatchPolicy;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.runtime.HealthProbe;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.history.MetricStore;
import io.fleetshell.shell.ShellSession;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fleet a playbook run from the shell reaches: every call goes through the code the matching
 * command runs ({@code inventory list}, {@code score}, {@code profile}, {@code agents status},
 * {@code metrics}, the gates, the rollout engine), with this shell's session, so a playbook stores
 * what the command would store and nothing else.
 */
@Component
public class ShellFleetPort implements FleetPort {

    /** Seconds one load may take when a playbook profiles, as {@code profile}'s default. */
    private static final int PROFILE_TIMEOUT_SECONDS = 60;

    private final ShellSession session;
    private final Measurements measurements;
    private final Rollouts rollouts;

    public ShellFleetPort(ShellSession session, Measurements measurements, Rollouts rollouts) {
        this.session = session;
        this.measurements = measurements;
        this.rollouts = rollouts;
    }

    @Override
    public Inventory inventory() {
        return session.inventoryStore().inventory();
    }

    @Override
    public List<AgentScore> score(List<Agent> agents) {
        return measurements.scores(inventory(), agents);
    }

    @Override
    public List<Profiled> profile(List<Agent> agents, int runs) {
        return measurements.measure(inventory(), agents, runs, Integer.parseInt(ProfileCommands.DEFAULT_PARALLEL), PROFILE_TIMEOUT_SECONDS)
                .stream().map(b -> new Profiled(b.profile(), b.version())).toList();
    }

    @Override
    public List<ProbeResult> health(List<Agent> agents) {
        Inventory inventory = inventory();
        HealthProbe probe = new HealthProbe();
        io.fleetshell.engine.runtime.Reach reach = new io.fleetshell.engine.runtime.Reach(session.home());
        return agents.stream().map(agent -> {
            Machine machine = inventory.machine(agent.machine()).orElseThrow();
            return reach.health(agent, machine).map(probe::probe).orElseGet(() -> new ProbeResult(agent.id(), Instant.now(), null,
                    ProbeResult.Outcome.NOT_CONFIGURED, null, 0, agent.name() + " has no health_check_port or port in its config",
                    null, null, null));
        }).toList();
    }

    @Override
    public MetricsWindow metrics(Agent agent, Duration window) {
        return metrics(agent, window, Instant.now());
    }

    /** The figures over the window that ends at {@code to}: a simulation reads a past deployment's. */
    MetricsWindow metrics(Agent agent, Duration window, Instant to) {
        Instant from = to.minus(window);
        MetricStore store = session.metrics();
        int scrapes = (int) store.scrapes(agent.id(), from, to).stream().filter(MetricStore.StoredScrape::ok).count();
        List<MetricStore.Interval> intervals = store.intervals(agent.id(), from, to);
        if (intervals.isEmpty()) {
            return new MetricsWindow(agent, window, scrapes, null, null, null, null);
        }
        double requests = intervals.stream().mapToDouble(i -> i.stats().requests()).sum();
        double errors = intervals.stream().mapToDouble(i -> i.stats().errors()).sum();
        RequestStats last = intervals.getLast().stats();
        return new MetricsWindow(agent, window, scrapes, requests, errors, millis(last.p50Seconds()), millis(last.p95Seconds()));
    }

    @Override
    public List<GateDecision> gate(Agent agent, List<String> names, Instant since) {
        Gates gates = session.gates(inventory());
        List<Gate> chosen = new ArrayList<>();
        for (String name : names) {
            chosen.add(gates.named(name).orElseThrow(() -> new FleetshellException(ErrorCode.PLAYBOOK_INVALID,
                    "fleet.gate: no gate '%s'; the gates are %s".formatted(name, String.join(", ",
                            gates.all().stream().map(Gate::name).toList())))));
        }
        return (chosen.isEmpty() ? gates.all() : chosen).stream().map(g -> g.evaluate(agent, since)).toList();
    }

    /** Each agent's rewrite as {@code batch deploy} makes it (the engine's planner), unproved; nothing is written. */
    @Override
    public Plan plan(List<Agent> agents, String patternId, RolloutOptions options) {
        Planner planner = rollouts.planner();
        planner.requireKnown(patternId);
        return planner.plan(inventory(), agents, patternId, Planner.gains(score(agents)), options);
    }

    @Override
    public DeploymentResult deploy(Plan plan, int proofRuns, BatchPolicy policy, RolloutListener listener) {
        InterruptibleRollout rollout = new InterruptibleRollout(listener, session.interrupts(), null);
        return rollout.run(rollouts, inventory(), () -> rollouts.executor(inventory(), proofRuns).run(plan, policy, rollout));
    }

    @Override
    public RolloutExecutor.RollbackResult rollback(long deploymentId, String why) {
        DeploymentStore journal = rollouts.store();
        journal.deployment(deploymentId).orElseThrow(() -> new FleetshellException(ErrorCode.PLAYBOOK_INVALID,
                "fleet.rollback: there is no deployment " + deploymentId));
        List<StoredStep> changed = journal.steps(deploymentId).stream().filter(s -> s.state().changed()).toList();
        if (changed.isEmpty()) {
            return new RolloutExecutor.RollbackResult(List.of(), Map.of());
        }
        return rollouts.restorer(inventory()).rollback(changed, why, false);
    }

    private static Double millis(double seconds) {
        return Double.isNaN(seconds) ? null : seconds * 1000;
    }
}
