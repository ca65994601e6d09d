package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.rollout.BatchOutcome;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.Recovery;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.shell.cli.CommandInterrupts;
import io.fleetshell.shell.cli.Host;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * A rollout that Ctrl-C stops at a step boundary, recoverable: while a step runs, the first Ctrl-C waits for the step
 * to end (applied or rolled back) and the rollout stops there, before the next step; a second Ctrl-C interrupts the
 * step (its proof or gate processes are killed) and the step is rolled back byte-exact as {@code deploy recover} would.
 * Either way the deployment ends {@code stopped}, its lock released, no temporary file left: {@code deploy resume}
 * deploys the steps not started, {@code rollback --deployment} undoes the applied ones. Between batches and before the
 * plan is stored, Ctrl-C stops at once. The listener passes every event on to the one that draws the rollout.
 */
final class InterruptibleRollout implements RolloutListener {

    private final RolloutListener drawing;
    private final CommandInterrupts interrupts;
    private volatile Long deploymentId;

    InterruptibleRollout(RolloutListener drawing, CommandInterrupts interrupts, Long deploymentId) {
        this.drawing = drawing;
        this.interrupts = interrupts;
        this.deploymentId = deploymentId;
    }

    /**
     * Runs {@code rollout} (which reports to this listener) and, when Ctrl-C stopped it, settles the deployment: the
     * step in flight restored, the temporary files removed, the state {@code stopped}.
     *
     * @throws FleetshellException saying where the deployment stopped and how to go on, when Ctrl-C stopped it
     */
    DeploymentResult run(Rollouts rollouts, Inventory inventory, java.util.function.Supplier<DeploymentResult> rollout) {
        try {
            return rollout.get();
        } catch (RuntimeException e) {
            Long id = deploymentId;
            if (!interrupts.pressed() || id == null) {
                throw e;
            }
            // The settling below restores files and restarts agents: it must not see the interrupt that stopped the step.
            boolean interrupted = Thread.interrupted();
            try {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, settle(rollouts, inventory, id), e);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            interrupts.finished();
        }
    }

    private static String settle(Rollouts rollouts, Inventory inventory, long id) {
        DeploymentStore store = rollouts.store();
        Function<io.fleetshell.engine.inventory.AgentId, io.fleetshell.engine.inventory.Agent> agents = Rollouts.lookup(inventory);
        Recovery.Result recovered = new Recovery(store, Host.name()).onHosts(rollouts.hosts(inventory)).recover(id, rollouts.runtime(inventory), agents);
        List<StoredStep> steps = store.steps(id);
        long applied = steps.stream().filter(s -> s.state().changed()).count();
        long pending = steps.stream().filter(s -> s.state() == StepState.PENDING).count();
        int undone = recovered.restored().size();
        String summary = "stopped by Ctrl-C at a step boundary: %d step%s applied%s, %d not started; %s"
                .formatted(applied, applied == 1 ? "" : "s", undone == 0 ? "" : ", %d interrupted step%s rolled back".formatted(undone,
                        undone == 1 ? "" : "s"), pending, pending == 0 ? "" : "deploy resume %d deploys them, ".formatted(id))
                + "rollback --deployment %d undoes the applied ones".formatted(id);
        store.finish(id, DeploymentState.STOPPED, summary);
        return "deployment %d %s".formatted(id, summary);
    }

    @Override
    public void batchStarted(int batch, int batches, List<StoredStep> steps) {
        if (!steps.isEmpty()) {
            deploymentId = steps.getFirst().deploymentId();
        }
        interrupts.finishFirst("the running step (then the deployment stops, resumable)");
        stopIfAsked();
        drawing.batchStarted(batch, batches, steps);
    }

    @Override
    public void stepFinished(StoredStep step, StepState state, String detail, int done, int total) {
        drawing.stepFinished(step, state, detail, done, total);
        stopIfAsked();
    }

    @Override
    public void batchFinished(BatchOutcome outcome) {
        interrupts.finished();
        drawing.batchFinished(outcome);
    }

    @Override
    public void waiting(Duration left, int nextBatch) {
        drawing.waiting(left, nextBatch);
    }

    @Override
    public void message(String text) {
        drawing.message(text);
    }

    /** The step boundary: a Ctrl-C pressed during the step ends the rollout here. */
    private void stopIfAsked() {
        if (interrupts.stopRequested()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "stopped by Ctrl-C");
        }
    }
}
