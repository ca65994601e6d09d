package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.optimize.Optimizers;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;

import java.util.ArrayList;
import java.util.List;

/**
 * The rollout's proof of a written rewrite: the agent's language's proof (see
 * {@link io.fleetshell.engine.optimize.AgentOptimizer#proveWritten}) comparing the original with the rewrite,
 * then {@link WrittenFileProver}'s checks of the file as written (it compiles in place, the agent's own
 * {@code test_command} passes in the real fleet root).
 */
public final class PatternStepProver implements StepProver {

    private final Optimizers optimizers;
    private final Inventory inventory;
    private final StepProver onDisk;

    public PatternStepProver(Optimizers optimizers, Inventory inventory, StepProver onDisk) {
        this.optimizers = optimizers;
        this.inventory = inventory;
        this.onDisk = onDisk;
    }

    @Override
    public Proof prove(Agent agent, Rewrite rewrite, ProofHints hints) {
        Proof patterns = optimizers.proveWritten(inventory, agent, rewrite, hints);
        if (patterns.firstFailure().isPresent()) {
            return patterns;
        }
        List<ProofCheck> checks = new ArrayList<>(patterns.checks());
        checks.addAll(onDisk.prove(agent, rewrite, hints).checks());
        return new Proof(checks);
    }

    /**
     * A shared module's step on every dependent: the module as written compiles in place and each dependent's own
     * {@code test_command} passes against it (the checks of the file as written, run per dependent), stopping at the
     * first dependent that fails. A joint step's other modules compile in place first.
     */
    @Override
    public Proof proveModule(String module, List<Agent> dependents, List<Rewrite> files, ProofHints hints) {
        List<Rewrite> others = files.stream().skip(1).filter(r -> r.changes() && !r.createsFile()
                && r.file().getFileName().toString().endsWith(".py")).toList();
        List<ProofCheck> compiled = others.isEmpty() || dependents.isEmpty() ? List.of() : onDisk.compiled(dependents.getFirst(), others);
        if (compiled.stream().anyMatch(ProofCheck::failed)) {
            return new Proof(compiled);
        }
        List<ProofCheck> checks = new ArrayList<>(compiled);
        checks.addAll(StepProver.perDependent(dependents, agent -> onDisk.prove(agent, files.getFirst(), hints)).checks());
        return new Proof(checks);
    }
}
