package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;

/**
 * Proves a rewrite once it is on disk, where the agent's own tests can run against it. A proof that is
 * not {@link Proof#deployable() deployable} makes the rollout restore the original at once.
 */
@FunctionalInterface
public interface StepProver {

    /** @param hints what the plan said the rewrite defers and removes */
    Proof prove(Agent agent, Rewrite rewrite, ProofHints hints);
}
