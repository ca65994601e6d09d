package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.playbook.FleetPort;
import io.fleetshell.engine.rollout.BatchOutcome;
import io.fleetshell.engine.rollout.BatchPolicy;
import io.fleetshell.engine.rollout.BatchState;
import io.fleetshell.engine.rollout.Decision;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.DeploymentJournal;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.PlanStep;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.score.AgentScore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fleet as one past deployment recorded it, for {@code playbook simulate}: every action is
 * simulated and nothing is written. {@code deploy} replays the agents' recorded step outcomes in the
 * batches the playbook's policy cuts; {@code health} and {@code gate} answer from the decisions recorded for
 * the deployment; {@code metrics} reads the scrapes stored up to the deployment's end. The inventory and
 * scores are today's (they are reads); {@code profile} would store baselines, so it is refused.
 */
final class SimulatedFleetPort implements FleetPort {

    private final FleetPort live;
    private final DeploymentJournal journal;
    private final Deployment deployment;
    private final List<StoredStep> recorded;
    private final List<DeploymentJournal.Recorded> decisions;

    SimulatedFleetPort(FleetPort live, DeploymentJournal journal, long deploymentId) {
        this.live = live;
        this.journal = journal;
        this.deployment = journal.deployment(deploymentId).orElseThrow(() -> new FleetshellException(ErrorCode.UNKNOWN_NAME,
                "there is no deployment %d to simulate against (deploy status lists them)".formatted(deploymentId)));
        this.recorded = journal.steps(deploymentId);
        this.decisions = journal.decisions(deploymentId);
    }

    Deployment deployment() {
        return deployment;
    }

    @Override
    public Inventory inventory() {
        return live.inventory();
    }

    @Override
    public List<AgentScore> score(List<Agent> agents) {
        return live.score(agents);
    }

    @Override
    public List<Profiled> profile(List<Agent> agents, int runs) {
        throw new FleetshellException(ErrorCode.OPERATION_FAILED, "fleet.profile does not run in a simulation: it would store new "
                + "baselines; simulate a playbook that deploys, or run this one with playbook run --dry-run");
    }

    @Override
    public List<ProbeResult> health(List<Agent> agents) {
        return agents.stream().map(agent -> latest(agent.id(), "health").map(d -> new ProbeResult(agent.id(), d.decision().at(), "recorded",
                        d.decision().verdict() == Decision.Verdict.PASS ? ProbeResult.Outcome.HEALTHY : ProbeResult.Outcome.BAD_STATUS, null, 0,
                        "recorded in deployment %d: %s".formatted(deployment.id(), d.decision().summary()), null, null, null))
                .orElseGet(() -> new ProbeResult(agent.id(), deployment.createdAt(), "recorded", ProbeResult.Outcome.NOT_CONFIGURED, null, 0,
                        "no health decision recorded for %s in deployment %d".formatted(agent.id(), deployment.id()), null, null, null)))
                .toList();
    }

    @Override
    public MetricsWindow metrics(Agent agent, Duration window) {
        // The window ends where the deployment ended: the metrics its decisions were taken on.
        return live instanceof ShellFleetPort shell ? shell.metrics(agent, window, end()) : live.metrics(agent, window);
    }

    @Override
    public List<GateDecision> gate(Agent agent, List<String> gates, Instant since) {
        List<GateDecision> found = new ArrayList<>();
        for (DeploymentJournal.Recorded r : decisions) {
            Decision d = r.decision();
            if (d.kind().equals(Decision.GATE) && stepAgent(r).filter(agent.id()::equals).isPresent()
                    && (gates.isEmpty() || gates.contains(d.name()))) {
                found.add(new GateDecision(d.name(), verdict(d.verdict()), d.rule(), "recorded in deployment %d: %s"
                        .formatted(deployment.id(), d.summary()), d.evidence()));
            }
        }
        return found.isEmpty() ? List.of(GateDecision.cannotEvaluate("gates", "no gate decision recorded for %s in deployment %d"
                .formatted(agent.id(), deployment.id()))) : found;
    }

    /** The agents the playbook asks for, in the order the deployment took them; the others are skipped. */
    @Override
    public Plan plan(List<Agent> agents, String pattern, RolloutOptions options) {
        List<AgentId> asked = agents.stream().map(Agent::id).toList();
        List<PlanStep> steps = new ArrayList<>();
        List<Plan.Skipped> skipped = new ArrayList<>();
        List<Integer> sizes = options.batches().split((int) recorded.stream().filter(s -> asked.contains(s.agent())).count());
        int batch = 1;
        int position = 0;
        for (StoredStep s : recorded) {
            if (!asked.contains(s.agent())) {
                continue;
            }
            if (position == sizes.get(batch - 1)) {
                batch++;
                position = 0;
            }
            steps.add(new PlanStep(batch, ++position, s.agent(), s.file(), s.pattern(), s.beforeSha256(),
                    Rewrite.unchanged(s.pattern(), s.file(), new byte[0], List.of("recorded step " + s.label())), s.predictedGainMs(), s.hints()));
        }
        for (AgentId id : asked) {
            if (recorded.stream().noneMatch(s -> s.agent().equals(id))) {
                skipped.add(new Plan.Skipped(id, "not part of deployment " + deployment.id()));
            }
        }
        return new Plan(pattern, steps, skipped, options);
    }

    /**
     * Replays the recorded outcomes of the plan's agents in the batches the policy cuts, as if the rollout had run
     * then: a batch with a failed or never-run step stops it, a held step holds it, and the policy is asked after each
     * passed batch. It replays a record rather than executing anything, so it walks the batches itself.
     */
    @Override
    public DeploymentResult deploy(Plan plan, int proofRuns, BatchPolicy policy, RolloutListener listener) {
        List<StoredStep> queue = new ArrayList<>(plan.steps().stream()
                .map(p -> recorded.stream().filter(s -> s.agent().equals(p.agent())).findFirst().orElseThrow()).toList());
        int total = queue.size();
        List<StoredStep> replayed = new ArrayList<>();
        List<BatchOutcome> history = new ArrayList<>();
        for (int index = 0; !queue.isEmpty(); index++) {
            int size = policy.nextBatchSize(new BatchPolicy.Progress(index, total, queue.size(), history));
            List<StoredStep> steps = new ArrayList<>(queue.subList(0, Math.min(size, queue.size())));
            queue.subList(0, steps.size()).clear();
            replayed.addAll(steps);
            boolean failed = steps.stream().anyMatch(s -> s.state().failed() || s.state() == StepState.PENDING);
            boolean held = steps.stream().anyMatch(s -> s.state() == StepState.HELD);
            String summary = "simulated from deployment %d: %s".formatted(deployment.id(),
                    String.join(", ", steps.stream().map(s -> s.agent() + " " + s.state().text()).toList()));
            BatchState state = failed ? BatchState.FAILED : held ? BatchState.HELD : BatchState.PASSED;
            Decision gate = new Decision(Decision.BATCH_GATE, "replay", failed ? Decision.Verdict.FAIL : held ? Decision.Verdict.HOLD
                    : Decision.Verdict.PASS, "the outcomes deployment %d recorded".formatted(deployment.id()), summary, Map.of(), Instant.now());
            BatchOutcome outcome = new BatchOutcome(deployment.id(), index + 1, state, gate, steps);
            history.add(outcome);
            listener.batchFinished(outcome);
            if (state != BatchState.PASSED) {
                return new DeploymentResult(deployment.id(), failed ? DeploymentState.STOPPED : DeploymentState.HELD, summary, replayed);
            }
            if (!queue.isEmpty() && !policy.shouldContinue(outcome)) {
                return new DeploymentResult(deployment.id(), DeploymentState.STOPPED, "simulated: stopped by the policy after batch "
                        + (index + 1), replayed);
            }
        }
        return new DeploymentResult(deployment.id(), DeploymentState.COMPLETED, "simulated from deployment %d: %d batch%s replayed"
                .formatted(deployment.id(), history.size(), history.size() == 1 ? "" : "es"), replayed);
    }

    @Override
    public RolloutExecutor.RollbackResult rollback(long deploymentId, String why) {
        return new RolloutExecutor.RollbackResult(List.of(), Map.of());
    }

    private Instant end() {
        return deployment.finishedAt() != null ? deployment.finishedAt() : recorded.stream().map(StoredStep::updatedAt)
                .max(Instant::compareTo).orElse(deployment.createdAt());
    }

    private Optional<DeploymentJournal.Recorded> latest(AgentId agent, String gate) {
        return decisions.stream().filter(r -> r.decision().kind().equals(Decision.GATE) && r.decision().name().equals(gate))
                .filter(r -> stepAgent(r).filter(agent::equals).isPresent()).reduce((a, b) -> b);
    }

    private Optional<AgentId> stepAgent(DeploymentJournal.Recorded r) {
        return r.stepId() == null ? Optional.empty()
                : recorded.stream().filter(s -> s.id() == r.stepId()).map(StoredStep::agent).findFirst();
    }

    private static GateDecision.Verdict verdict(Decision.Verdict recorded) {
        return switch (recorded) {
            case PASS -> GateDecision.Verdict.PASS;
            case FAIL -> GateDecision.Verdict.FAIL;
            default -> GateDecision.Verdict.HOLD;
        };
    }
}
