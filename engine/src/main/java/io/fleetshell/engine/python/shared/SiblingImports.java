package io.fleetshell.engine.python.shared;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.ImportFact;
import io.fleetshell.engine.python.graph.FleetModule;
import io.fleetshell.engine.python.graph.ImportEdge;
import io.fleetshell.engine.python.graph.ImportGraph;
import io.fleetshell.engine.python.graph.ModuleImport;
import io.fleetshell.engine.python.graph.ModuleReport;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which deferrable imports of a shared module another shared module imports too, at its module level, in agents that
 * load both (issue 14): deferring {@code import numpy} in {@code common.core.base_agent} takes nothing off those agents'
 * start-up while {@code common.metrics} still imports numpy when it loads, so the gain exists only when the modules change
 * together ({@code optimize --modules}). Read from the static facts, so it sees third-party modules too, which
 * {@code -X importtime} prints once per process and so cannot show as loaded a second time. A third-party module is
 * matched by its top-level package ({@code redis.asyncio} and {@code redis} load the same package); a module of the
 * fleet's own code by the file the import resolves to.
 */
public final class SiblingImports {

    private SiblingImports() {
    }

    /**
     * Another module that imports the same module at its module level.
     *
     * @param module           its dotted name
     * @param statement        its import statement
     * @param line             the statement's line
     * @param deferrable       whether that import can itself be deferred for every importer (else a joint change cannot
     *                         take the module off the shared dependents' start-up either)
     * @param sharedDependents how many agents load both modules
     */
    public record Sibling(String module, String statement, int line, boolean deferrable, int sharedDependents) {
    }

    /**
     * One deferrable import of the module that siblings import too.
     *
     * @param imported   the import, as the module report judges it
     * @param target     what it loads: a third-party top-level package, or an own module's dotted name
     * @param siblings   the other modules importing it at module level, with the dependents they share
     * @param dependents the module's dependents
     */
    public record Finding(ModuleImport imported, String target, List<Sibling> siblings, int dependents) {
        public Finding {
            siblings = List.copyOf(siblings);
        }

        /** The modules to change together for this import to gain: the module and every sibling whose import can be deferred. */
        public List<String> together(String module) {
            List<String> names = new ArrayList<>(List.of(module));
            siblings.stream().filter(Sibling::deferrable).map(Sibling::module).filter(m -> !names.contains(m)).forEach(names::add);
            return names;
        }

        /** The siblings that keep the module loaded whatever changes (their import must stay eager). */
        public List<Sibling> keptEager() {
            return siblings.stream().filter(s -> !s.deferrable()).toList();
        }

        /** One sentence: who loads it anyway, and the joint change that gains (or why none can). */
        public String explain(String module) {
            String who = String.join(", ", siblings.stream().map(s -> "%s (line %d%s, %d of %d dependents)".formatted(s.module(), s.line(),
                    s.deferrable() ? "" : ", must stay eager", s.sharedDependents(), dependents)).toList());
            if (!keptEager().isEmpty()) {
                return "%s is loaded anyway by %s: deferring it here gains nothing in the agents that load %s".formatted(target, who,
                        String.join(", ", keptEager().stream().map(Sibling::module).toList()));
            }
            return "%s is loaded anyway by %s: deferring it here gains only together with %s: optimize --modules %s".formatted(target, who,
                    String.join(", ", together(module).subList(1, together(module).size())), String.join(",", together(module)));
        }
    }

    /**
     * The module's deferrable imports that sibling modules import too, in source order.
     *
     * @param reports every module's report by dotted name (for the siblings' own verdicts)
     */
    public static List<Finding> of(ImportGraph graph, ModuleReport report, Map<String, ModuleReport> reports) {
        FleetModule module = report.module();
        Set<AgentId> mine = new HashSet<>(report.dependents());
        List<Finding> findings = new ArrayList<>();
        for (ModuleImport imported : report.deferrable()) {
            Optional<FleetModule> own = ownTarget(graph, module, imported.fact());
            String target = own.map(FleetModule::name).orElseGet(() -> topLevel(imported.fact()));
            if (target == null) {
                continue;
            }
            List<Sibling> siblings = new ArrayList<>();
            for (FleetModule other : graph.modules()) {
                if (other.file().equals(module.file())) {
                    continue;
                }
                Optional<FileFacts> facts = graph.facts(other.file());
                if (facts.isEmpty() || !facts.get().parsed()) {
                    continue;
                }
                Optional<ImportFact> same = facts.get().imports().stream()
                        .filter(f -> f.atModuleLevel() && !f.typeChecking())
                        .filter(f -> own.isPresent() ? ownTarget(graph, other, f).filter(own.get()::equals).isPresent()
                                : target.equals(topLevel(f)))
                        .findFirst();
                if (same.isEmpty()) {
                    continue;
                }
                Set<AgentId> both = new LinkedHashSet<>();
                graph.dependents(other).stream().map(Agent::id).filter(mine::contains).forEach(both::add);
                if (both.isEmpty()) {
                    continue;
                }
                ModuleReport theirs = reports.get(other.name());
                boolean deferrable = theirs != null && theirs.imports().stream()
                        .anyMatch(i -> i.fact().span().equals(same.get().span()) && i.deferrable());
                siblings.add(new Sibling(other.name(), same.get().text(), same.get().span().line(), deferrable, both.size()));
            }
            if (!siblings.isEmpty()) {
                findings.add(new Finding(imported, target, siblings, mine.size()));
            }
        }
        return findings;
    }

    /** The own module an import statement of {@code module} loads (the deepest of {@code a.b.c}), if it is own code. */
    private static Optional<FleetModule> ownTarget(ImportGraph graph, FleetModule module, ImportFact fact) {
        return graph.importsOf(module.file()).stream().filter(e -> e.fact().span().equals(fact.span()))
                .map(ImportEdge::target).max(java.util.Comparator.comparingInt(m -> m.name().length()));
    }

    /** The top-level package an absolute import loads, or null for a relative one. */
    private static String topLevel(ImportFact fact) {
        if (fact.level() > 0 || fact.module() == null || fact.module().isEmpty() || fact.future()) {
            return null;
        }
        return fact.module().split("\\.")[0];
    }
}
