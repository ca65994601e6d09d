package io.fleetshell.engine.rollout;

import java.util.List;

/**
 * One batch of a deployment as its batch gate left it: the executor hands it to the listener and to the
 * {@link BatchPolicy}, so that a policy decides on the same figures the batch gate journaled.
 *
 * @param deploymentId the deployment the batch belongs to
 * @param number       the batch's number, from 1
 * @param state        passed, failed or held (the batch gate's verdict on it)
 * @param gate         the batch gate's decision
 * @param steps        the batch's steps with their states after the gate
 */
public record BatchOutcome(long deploymentId, int number, BatchState state, Decision gate, List<StoredStep> steps) {

    public BatchOutcome {
        steps = List.copyOf(steps);
    }

    public long count(StepState state) {
        return steps.stream().filter(s -> s.state() == state).count();
    }

    /** Steps rolled back, drifted or left in conflict: what the batch gate counts as failed. */
    public long failed() {
        return steps.stream().filter(s -> s.state().failed()).count();
    }
}
