package io.fleetshell.engine.python.shared;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.ChangeSet;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome of optimizing one shared module: what each pattern said, the change (the module's rewrite and the helper
 * module it may create, as one {@link ChangeSet}), what it defers and removes, and the proof over the module and every
 * dependent agent (null when the change changes nothing or no proof was asked for).
 *
 * @param module        the module's dotted name, as the agents import it
 * @param file          the module's file
 * @param dependents    every agent that imports it, directly or transitively
 * @param python        the interpreter the patterns analyzed it with (the first dependent's machine's)
 * @param pythonVersion its version
 * @param applicability per pattern id, in the order run
 * @param change        the change of every file
 * @param helperModule  the dotted name of the lazy helper module the rewrite imports, or null when it imports none
 * @param deferredNames what lazy_loading defers, as attribute paths from the module
 * @param removedNames  module-level names dependency_reduction removes
 * @param proof         the proof, or null
 */
public record SharedModuleOptimization(String module, Path file, List<Agent> dependents, String python, String pythonVersion,
                                       Map<String, Applicability> applicability, ChangeSet change, String helperModule,
                                       List<String> deferredNames, List<String> removedNames, DependentsProof.Result proof) {

    public SharedModuleOptimization {
        dependents = List.copyOf(dependents);
        applicability = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(applicability));
        deferredNames = List.copyOf(deferredNames);
        removedNames = List.copyOf(removedNames);
    }

    /** Changes a file and its proof passed on the module and on every dependent. */
    public boolean deployable() {
        return change.changes() && proof != null && proof.deployable();
    }
}
