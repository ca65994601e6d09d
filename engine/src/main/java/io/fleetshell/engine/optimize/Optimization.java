package io.fleetshell.engine.optimize;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;

import java.util.List;
import java.util.Map;

/**
 * The outcome of optimizing one agent: what each pattern said, the combined rewrite (one before/after
 * pair naming the patterns that changed the file), the names it defers, and the proof (null when the
 * rewrite changes nothing or the proof was not asked for).
 *
 * @param agent          the agent
 * @param python         the interpreter command
 * @param pythonVersion  its version
 * @param applicability  per pattern id, in the order run
 * @param rewrite        the combined rewrite
 * @param deferredNames  what lazy_loading defers, as attribute paths from the module (their first use is timed)
 * @param removedNames   module-level names dependency_reduction removes
 * @param proof          the proof, or null
 */
public record Optimization(Agent agent, String python, String pythonVersion, Map<String, Applicability> applicability,
                           Rewrite rewrite, List<String> deferredNames, List<String> removedNames, Proof proof) {

    public Optimization {
        applicability = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(applicability));
        deferredNames = List.copyOf(deferredNames);
        removedNames = List.copyOf(removedNames);
    }

    /** What the proof of this rewrite needs to know of it, wherever (and whenever) it runs. */
    public ProofHints hints() {
        return new ProofHints(deferredNames, removedNames);
    }

    /** Changes the file and its proof passed. */
    public boolean deployable() {
        return rewrite.changes() && proof != null && proof.deployable();
    }
}
