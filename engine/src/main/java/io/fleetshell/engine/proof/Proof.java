package io.fleetshell.engine.proof;

import java.util.List;
import java.util.Optional;

/**
 * The checks run on one rewrite, in the order they ran. Checking stops at the first failure, so a
 * failed proof ends with the check that failed.
 */
public record Proof(List<ProofCheck> checks) {

    public Proof {
        checks = List.copyOf(checks);
    }

    /** True when no check failed and at least one passed. */
    public boolean deployable() {
        return firstFailure().isEmpty() && checks.stream().anyMatch(c -> c.outcome() == ProofCheck.Outcome.PASSED);
    }

    /** This proof without the named check when it was skipped (a later stage runs that check itself). */
    public Proof withoutSkipped(String name) {
        return new Proof(checks.stream().filter(c -> !(c.outcome() == ProofCheck.Outcome.SKIPPED && c.name().equals(name))).toList());
    }

    public Optional<ProofCheck> firstFailure() {
        return checks.stream().filter(ProofCheck::failed).findFirst();
    }
}
