package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;

import java.util.ArrayList;
import java.util.List;

/**
 * Proves a rewrite once it is on disk, where the agent's own tests can run against it. A proof that is
 * not {@link Proof#deployable() deployable} makes the rollout restore the original at once (every file of the step).
 */
@FunctionalInterface
public interface StepProver {

    /** @param hints what the plan said the rewrite defers and removes */
    Proof prove(Agent agent, Rewrite rewrite, ProofHints hints);

    /**
     * Proves an agent's step of several files, all written: by default the agent's own file (the first), which the
     * others (a helper module it imports) are loaded with.
     */
    default Proof prove(Agent agent, List<Rewrite> files, ProofHints hints) {
        return prove(agent, files.getFirst(), hints);
    }

    /**
     * Proves a step that rewrites a shared module, all its files written: on every dependent (each agent that imports
     * it), stopping at the first that fails; each check is named after its dependent ({@code test_command of m1/Billing}),
     * so a failure names the agent it broke. By default each dependent's proof of the module's rewrite.
     *
     * @param module     the module's dotted name
     * @param dependents the agents that import it, directly or through other modules
     * @param files      the step's rewrites, the module's first
     */
    default Proof proveModule(String module, List<Agent> dependents, List<Rewrite> files, ProofHints hints) {
        return perDependent(dependents, agent -> prove(agent, files.getFirst(), hints));
    }

    /**
     * Checks that these further files of a step, as written, compile (the other modules of a joint module step); none by
     * default.
     */
    default List<ProofCheck> compiled(Agent agent, List<Rewrite> files) {
        return List.of();
    }

    /** Each dependent's proof, its checks named after it, up to the first failure. */
    static Proof perDependent(List<Agent> dependents, java.util.function.Function<Agent, Proof> proof) {
        List<ProofCheck> checks = new ArrayList<>();
        for (Agent agent : dependents) {
            for (ProofCheck check : proof.apply(agent).checks()) {
                checks.add(new ProofCheck(check.name() + " of " + agent.id(), check.outcome(), check.detail(), check.evidence()));
                if (check.failed()) {
                    return new Proof(checks);
                }
            }
        }
        return new Proof(checks);
    }
}
