package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.analysis.FileFacts;
import io.fleetshell.engine.analysis.PythonFacts;
import io.fleetshell.engine.compare.Gates;
import io.fleetshell.engine.gate.Gate;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.metrics.RequestStats;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Patterns;
import io.fleetshell.engine.playbook.FleetPort;
import io.fleetshell.engine.rollout.Candidate;
import io.fleetshell.engine.rollout.ConfiguredRuntime;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Rollout;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.rollout.WrittenFileProver;
import io.fleetshell.engine.runtime.HealthProbe;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.runtime.ProbeTarget;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.history.MetricStore;
import io.fleetshell.shell.ShellSession;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
    /** How long a proof's compile and test_command, and a restart_command, may take. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    private final ShellSession session;
    private final ScoreCommands score;
    private final ProfileCommands profile;

    public ShellFleetPort(ShellSession session, ScoreCommands score, ProfileCommands profile) {
        this.session = session;
        this.score = score;
        this.profile = profile;
    }

    @Override
    public Inventory inventory() {
        return session.inventoryStore().inventory();
    }

    @Override
    public List<AgentScore> score(List<Agent> agents) {
        return score.scores(inventory(), agents);
    }

    @Override
    public List<Profiled> profile(List<Agent> agents, int runs) {
        return profile.measure(inventory(), agents, runs, Runtime.getRuntime().availableProcessors(), PROFILE_TIMEOUT_SECONDS)
                .stream().map(b -> new Profiled(b.profile(), b.version())).toList();
    }

    @Override
    public List<ProbeResult> health(List<Agent> agents) {
        Inventory inventory = inventory();
        HealthProbe probe = new HealthProbe();
        return agents.stream().map(agent -> {
            Machine machine = inventory.machine(agent.machine()).orElseThrow();
            return ProbeTarget.of(agent, machine).map(probe::probe).orElseGet(() -> new ProbeResult(agent.id(), Instant.now(), null,
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
        Gates gates = gates(inventory());
        List<Gate> chosen = new ArrayList<>();
        for (String name : names) {
            chosen.add(gates.named(name).orElseThrow(() -> new FleetshellException(ErrorCode.PLAYBOOK_INVALID,
                    "fleet.gate: no gate '%s'; the gates are %s".formatted(name, String.join(", ",
                            gates.all().stream().map(Gate::name).toList())))));
        }
        return (chosen.isEmpty() ? gates.all() : chosen).stream().map(g -> g.evaluate(agent, since)).toList();
    }

    @Override
    public Plan plan(List<Agent> agents, String patternId, RolloutOptions options) {
        Inventory inventory = inventory();
        Pattern pattern = Patterns.byId(patternId);
        for (Agent agent : agents) {
            if (!agent.script().found()) {
                throw new FleetshellException(ErrorCode.PLAYBOOK_INVALID, "%s: its script was not found (%s); nothing was planned"
                        .formatted(agent.id(), agent.script().detail()));
            }
        }
        // One analysis serves the pattern's input and the predicted gain, as score computes it.
        Map<AgentId, FileFacts> facts = score.analyze(inventory, agents);
        List<AgentScore> scores = score.scores(agents, facts);
        PythonFacts python = new PythonFacts(session.home().helpers());
        Map<String, String> versions = new HashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            Agent agent = agents.get(i);
            Machine machine = inventory.machine(agent.machine()).orElseThrow();
            byte[] source;
            try {
                source = Files.readAllBytes(agent.script().path());
            } catch (IOException e) {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot read %s: %s".formatted(agent.script().path(), e.getMessage()));
            }
            String version = versions.computeIfAbsent(machine.python(), python::version);
            candidates.add(new Candidate(agent, pattern, new PatternInput(agent.id().toString(), agent.script().path(), source,
                    facts.get(agent.id()), version, Map.of()), scores.get(i).predictedGainMs()));
        }
        return Rollout.resolve(candidates, options);
    }

    @Override
    public DeploymentResult deploy(Plan plan) {
        return executor(inventory()).run(plan, RolloutListener.SILENT);
    }

    @Override
    public RolloutExecutor.RollbackResult rollback(long deploymentId, String why) {
        DeploymentStore journal = new DeploymentStore(session.database());
        journal.deployment(deploymentId).orElseThrow(() -> new FleetshellException(ErrorCode.PLAYBOOK_INVALID,
                "fleet.rollback: there is no deployment " + deploymentId));
        List<StoredStep> changed = journal.steps(deploymentId).stream().filter(s -> s.state().changed()).toList();
        if (changed.isEmpty()) {
            return new RolloutExecutor.RollbackResult(List.of(), Map.of());
        }
        return executor(inventory()).rollback(changed, why, false);
    }

    private RolloutExecutor executor(Inventory inventory) {
        return new RolloutExecutor(new DeploymentStore(session.database()),
                id -> inventory.find(id).stream().findFirst().orElse(null),
                new WrittenFileProver(inventory, COMMAND_TIMEOUT), gates(inventory).all(),
                new ConfiguredRuntime(inventory, COMMAND_TIMEOUT), Host.NAME);
    }

    private Gates gates(Inventory inventory) {
        return new Gates(inventory, session.runtime(), session.settings().thresholds());
    }

    private static Double millis(double seconds) {
        return Double.isNaN(seconds) ? null : seconds * 1000;
    }

    /** The host name the fleet lock records, looked up once. */
    private static final class Host {
        static final String NAME = lookUp();

        private static String lookUp() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                return "unknown";
            }
        }
    }
}
