package io.fleetshell.engine.rollout;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.proof.Prover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rollout's proof of a written rewrite: the patterns' {@link Prover} (compiles, no new undefined name,
 * loads, same module names, load time beyond noise) comparing the original with the rewrite, then
 * {@link WrittenFileProver}'s checks of the file as written (it compiles in place, the agent's own
 * {@code test_command} passes in the real fleet root). The Prover loads the original from a hidden sibling
 * holding the original bytes, since the agent's file already holds the rewrite; recovery removes that
 * sibling if the process dies meanwhile.
 */
public final class PatternStepProver implements StepProver {

    /** What the pattern run said the rewrite defers and removes: the Prover times their first use and allows their absence. */
    public record Hints(List<String> deferredNames, List<String> removedNames) {
        public static final Hints NONE = new Hints(List.of(), List.of());

        public Hints {
            deferredNames = List.copyOf(deferredNames);
            removedNames = List.copyOf(removedNames);
        }
    }

    private final Prover prover;
    private final Inventory inventory;
    private final Map<AgentId, Hints> hints;
    private final StepProver onDisk;

    public PatternStepProver(Prover prover, Inventory inventory, Map<AgentId, Hints> hints, StepProver onDisk) {
        this.prover = prover;
        this.inventory = inventory;
        this.hints = Map.copyOf(hints);
        this.onDisk = onDisk;
    }

    /** The hidden sibling that holds the original while the rewrite is proved against it. */
    public static Path originalCopy(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".fleetshell-original.py");
    }

    @Override
    public Proof prove(Agent agent, Rewrite rewrite) {
        Machine machine = inventory.machine(agent.machine()).orElseThrow();
        Path copy = originalCopy(rewrite.file());
        try {
            Files.write(copy, rewrite.before());
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot write " + copy + " to prove the rewrite: " + e.getMessage(), e);
        }
        try {
            Hints h = hints.getOrDefault(agent.id(), Hints.NONE);
            ProfileTarget target = new ProfileTarget(agent.id(), copy, machine.python(), machine.fleetRoot(), machine.environment());
            // test_command runs once, below, against the file as written in the real fleet root.
            Proof patterns = prover.prove(new Prover.Subject(target, new Rewrite(rewrite.pattern(), copy, rewrite.before(),
                    rewrite.after(), rewrite.notes()), h.deferredNames(), h.removedNames(), null));
            List<ProofCheck> checks = new ArrayList<>(patterns.checks().stream()
                    .filter(c -> !(c.outcome() == ProofCheck.Outcome.SKIPPED && c.name().equals("agent tests"))).toList());
            if (patterns.firstFailure().isPresent()) {
                return new Proof(checks);
            }
            checks.addAll(onDisk.prove(agent, rewrite).checks());
            return new Proof(checks);
        } finally {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException ignored) {
                // recovery removes it (Recovery.leftovers)
            }
        }
    }
}
