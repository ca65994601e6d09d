package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.pattern.Rewrite;

import java.nio.file.Path;
import java.util.List;

/**
 * A rewrite of a shared module of the fleet, as the planner takes it: one step that changes several files as a unit
 * (the module, a helper module it creates, agent files), proved on and restarted with every agent that imports the
 * module. A joint change of several modules (their rewrites and the one helper they import, proved once over the union of
 * their dependents) is one such step too: its {@code module} names them all, joined by commas.
 *
 * @param module          the module's dotted name ({@code common.core.base_agent}); of a joint change, every module's,
 *                        joined by commas in the change's order ({@code common.core.base_agent,common.metrics})
 * @param machine         the machine whose fleet root holds the module
 * @param file            the module's own file, one of the change's (of a joint change, the first module's)
 * @param change          the files, in the order they are written
 * @param dependents      every agent that imports the module, directly or through other modules
 * @param hints           what the module's rewrite defers and removes (for its proof)
 * @param predictedGainMs the gain score predicts over all dependents, or null
 */
public record ModuleChange(String module, String machine, Path file, ChangeSet change, List<AgentId> dependents, ProofHints hints,
                           Double predictedGainMs) {

    public ModuleChange {
        dependents = List.copyOf(dependents);
        if (change.files().stream().noneMatch(r -> r.file().equals(file))) {
            throw new IllegalArgumentException("the change of " + module + " does not hold its file " + file);
        }
    }

    /** The modules the step rewrites: one, or every module of a joint change. */
    public List<String> modules() {
        return modulesOf(module);
    }

    /** The modules a step's stored module name holds (a joint step's names are joined by commas). */
    public static List<String> modulesOf(String module) {
        return module == null ? List.of() : List.of(module.split(","));
    }

    /** The module's own rewrite. */
    public Rewrite rewrite() {
        return change.files().stream().filter(r -> r.file().equals(file)).findFirst().orElseThrow();
    }
}
