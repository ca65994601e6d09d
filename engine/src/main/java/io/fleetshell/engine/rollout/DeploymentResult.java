package io.fleetshell.engine.rollout;

import java.util.List;

/**
 * How a deployment ended: its state ({@link DeploymentState}), one line on why,
 * and every step with its final state. Partial failure is data: a stopped rollout still lists every step.
 */
public record DeploymentResult(long deploymentId, DeploymentState state, String summary, List<StoredStep> steps) {

    public DeploymentResult {
        steps = List.copyOf(steps);
    }

    public boolean ok() {
        return state == DeploymentState.COMPLETED;
    }

    public long count(StepState state) {
        return steps.stream().filter(s -> s.state() == state).count();
    }
}
