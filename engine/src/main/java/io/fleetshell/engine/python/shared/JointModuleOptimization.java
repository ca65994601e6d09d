package io.fleetshell.engine.python.shared;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.ChangeSet;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of optimizing several shared modules as ONE change (issue 14): every module whose rewrite changes
 * something and the one helper module they import, as one {@link ChangeSet}, proved once over the union of their
 * dependents. A module's deferral gains nothing while a sibling module still imports the same heavy module eagerly; the
 * gain exists only when they change together, so they are proved and deployed together. A module whose own rewrite
 * changes nothing is left out, with why.
 *
 * @param modules       the modules of the change, in the order given, each with what its rewrite does
 * @param left          the modules left out of the change: dotted name -> why (nothing to change, no importer)
 * @param dependents    every agent that imports at least one module of the change, directly or transitively, once each
 * @param python        the interpreter the patterns analyzed the modules with
 * @param pythonVersion its version
 * @param change        the files: the helper (created or reused) first, then each module's rewrite
 * @param helperModule  the dotted name of the helper module the rewrites import, or null when none does
 * @param proof         the one proof over the module files and every dependent, or null when nothing changes
 */
public record JointModuleOptimization(List<Part> modules, Map<String, String> left, List<Agent> dependents, String python,
                                      String pythonVersion, ChangeSet change, String helperModule, DependentsProof.Result proof) {

    public JointModuleOptimization {
        modules = List.copyOf(modules);
        left = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(left));
        dependents = List.copyOf(dependents);
    }

    /**
     * One module of the joint change.
     *
     * @param module        its dotted name
     * @param file          its file
     * @param dependents    the agents that import it (a subset of the change's dependents)
     * @param applicability per pattern id, in the order run
     * @param deferredNames what lazy_loading defers in it
     * @param removedNames  module-level names dependency_reduction removes from it
     */
    public record Part(String module, Path file, List<AgentId> dependents, Map<String, Applicability> applicability,
                       List<String> deferredNames, List<String> removedNames) {
        public Part {
            dependents = List.copyOf(dependents);
            applicability = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(applicability));
            deferredNames = List.copyOf(deferredNames);
            removedNames = List.copyOf(removedNames);
        }
    }

    /** The modules of the change joined by commas: how the rollout names the joint step ({@code rollback} takes any one). */
    public String name() {
        return String.join(",", modules.stream().map(Part::module).toList());
    }

    /** Changes a file and its one proof passed on every module file and every dependent. */
    public boolean deployable() {
        return change != null && change.changes() && proof != null && proof.deployable();
    }
}
