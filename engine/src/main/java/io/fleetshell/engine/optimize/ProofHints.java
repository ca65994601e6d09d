package io.fleetshell.engine.optimize;

import java.util.List;

/**
 * What a rewrite defers and removes, as its patterns said when it was planned: the proof times the first use
 * of each deferred name and allows the absence of each removed one. It travels with the plan step (and is
 * stored with it), so a resumed or recovered deployment proves the rewrite it planned without rewriting again.
 *
 * @param deferredNames attribute paths from the module whose loading the rewrite defers
 * @param removedNames  module-level names the rewrite removes
 */
public record ProofHints(List<String> deferredNames, List<String> removedNames) {

    public static final ProofHints NONE = new ProofHints(List.of(), List.of());

    public ProofHints {
        deferredNames = List.copyOf(deferredNames);
        removedNames = List.copyOf(removedNames);
    }
}
