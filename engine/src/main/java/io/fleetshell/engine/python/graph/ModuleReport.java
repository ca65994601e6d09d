package io.fleetshell.engine.python.graph;

import io.fleetshell.engine.inventory.AgentId;

import java.util.Comparator;
import java.util.List;

/**
 * One fleet module as the whole fleet sees it: who loads it, who imports it from where, each of its module-level
 * imports with its fleet-wide verdict, and its measured cost in each profiled dependent.
 *
 * @param module      the module
 * @param dependents  the agents that import it, directly or transitively
 * @param notProfiled the dependents without a usable baseline: no figure of theirs is in any total
 * @param importers   every import statement that loads it
 * @param imports     its module-level imports, in source order
 * @param self        per profiled dependent that loaded it: the median {@code -X importtime} self time of the module
 * @param cumulative  per profiled dependent that loaded it: the median cumulative time (its imports included)
 * @param error       why the module has no facts (it does not parse), or null
 */
public record ModuleReport(FleetModule module, List<AgentId> dependents, List<AgentId> notProfiled, List<ImportEdge> importers,
                           List<ModuleImport> imports, List<ImportCost> self, List<ImportCost> cumulative, String error) {

    public ModuleReport {
        dependents = List.copyOf(dependents);
        notProfiled = List.copyOf(notProfiled);
        importers = List.copyOf(importers);
        imports = List.copyOf(imports);
        self = List.copyOf(self);
        cumulative = List.copyOf(cumulative);
    }

    /** Orders reports by {@link #deferrableMillis()}, largest first, the unprofiled last, then by name. */
    public static final Comparator<ModuleReport> BY_DEFERRABLE_COST = Comparator
            .comparing((ModuleReport r) -> r.deferrableMillis() == null ? 1 : 0)
            .thenComparing(r -> r.deferrableMillis() == null ? 0 : -r.deferrableMillis())
            .thenComparing(r -> r.module().name());

    /** The imports that can be deferred for every importer. */
    public List<ModuleImport> deferrable() {
        return imports.stream().filter(ModuleImport::deferrable).toList();
    }

    /**
     * The start-up cost the deferrable imports add across the profiled dependents (the sum of each one's measured
     * figure), or null when no dependent was profiled (nothing measured: no figure).
     */
    public Double deferrableMillis() {
        if (dependents.size() == notProfiled.size()) {
            return null;
        }
        return deferrable().stream().mapToDouble(i -> i.totalMillis() == null ? 0 : i.totalMillis()).sum();
    }

    /** The dependents whose figures are in the totals. */
    public List<AgentId> profiled() {
        return dependents.stream().filter(a -> !notProfiled.contains(a)).toList();
    }
}
