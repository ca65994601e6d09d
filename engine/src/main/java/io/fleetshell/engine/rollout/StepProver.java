package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;

/**
 * Proves a rewrite once it is on disk, where the agent's own tests can run against it. A proof that is
 * not {@link Proof#deployable() deployable} makes the rollout restore the original at once.
 */
@FunctionalInterface
public interface StepProver {

    Proof prove(Agent agent, Rewrite rewrite);
}
