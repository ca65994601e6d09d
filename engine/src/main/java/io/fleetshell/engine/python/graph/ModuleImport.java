package io.fleetshell.engine.python.graph;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.python.analysis.ImportFact;
import io.fleetshell.engine.python.analysis.ImportVerdict;

import java.util.List;

/**
 * One module-level import of a fleet module, judged for the whole fleet: the verdict of the module's own body
 * ({@link io.fleetshell.engine.python.analysis.DeferrableImports}), overruled to "eager" when an importer reads
 * through the module, while it loads, something that needs the import; and what the import costs each dependent
 * agent that was profiled.
 *
 * @param fact        the import as the analysis helper reported it
 * @param verdict     the verdict of the module's own body
 * @param readThrough the first importer that keeps it eager although the module's own body would not, or null
 * @param costs       per profiled dependent: the median cumulative time of the modules this import loaded first,
 *                    inside the module's load (0 where another import had loaded them before, and where another
 *                    module-level import of the fleet's own code loads the imported own module anyway)
 * @param loadedAnyway the profiled dependents whose figure is 0 because another module-level import loads the
 *                    imported own module anyway (deferring this one would not take it off their start-up)
 */
public record ModuleImport(ImportFact fact, ImportVerdict verdict, ReadThrough readThrough, List<ImportCost> costs,
                           List<AgentId> loadedAnyway) {

    public ModuleImport {
        costs = List.copyOf(costs);
        loadedAnyway = List.copyOf(loadedAnyway);
    }

    /** Whether the import can be deferred for every importer of the module. */
    public boolean deferrable() {
        return verdict instanceof ImportVerdict.Deferrable && readThrough == null;
    }

    /** {@code deferrable}, {@code eager}, {@code unused} or {@code not run}. */
    public String verdictWord() {
        if (readThrough != null) {
            return "eager";
        }
        return switch (verdict) {
            case ImportVerdict.Deferrable d -> "deferrable";
            case ImportVerdict.MustStayEager e -> "eager";
            case ImportVerdict.Unused u -> "unused";
            case ImportVerdict.NotRuntime n -> "not run";
        };
    }

    /** One sentence naming the rule, or the importer that keeps it eager. */
    public String explain() {
        if (readThrough != null) {
            return "`%s` (line %d) must stay eager: %s.".formatted(fact.text(), fact.span().line(), readThrough.explain());
        }
        return verdict.explain();
    }

    /** The sum of the per-agent figures, or null when no dependent was profiled. */
    public Double totalMillis() {
        return costs.isEmpty() ? null : costs.stream().mapToDouble(ImportCost::millis).sum();
    }
}
