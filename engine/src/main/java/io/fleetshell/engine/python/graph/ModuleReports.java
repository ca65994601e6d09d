package io.fleetshell.engine.python.graph;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.ImportTree;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.Stats;
import io.fleetshell.engine.python.analysis.DeferrableImports;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.ImportFact;
import io.fleetshell.engine.python.analysis.ImportVerdict;
import io.fleetshell.engine.python.analysis.Use;
import io.fleetshell.engine.python.pattern.ImporterReads;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Judges the fleet's own modules for the whole fleet and prices them from measured samples. A module's import is
 * deferrable when its own body allows it ({@link DeferrableImports}, LAZY_IMPORTS.md rules 1-5) and no importer
 * reads, through the module, something that needs it (LAZY_IMPORTS.md, "Shared modules"):
 * <ul>
 *   <li>{@code from M import x} where {@code x} is the name the import binds (a re-export), with {@code x} used while
 *       the importer loads or from its {@code __main__} block (a re-export read only later keeps the binding, which a
 *       deferred import keeps too, rule 2);</li>
 *   <li>{@code from M import *}: the names in M's {@code __all__} (every public name, where no import is listed
 *       there) are read while the importer loads;</li>
 *   <li>the module object itself ({@code import M}, {@code from pkg import M}) read while the importer loads, or from
 *       its {@code __main__} block: which attribute it reads is not known, so every import of M stays;</li>
 *   <li>{@code from M import X} with {@code X} read while the importer loads or from its {@code __main__} block
 *       (a base class, a decorator, a call): the body of the function {@code X}, or the methods of the class
 *       {@code X} that such a read runs ({@code __init_subclass__}, {@code __init__}, {@code __new__},
 *       {@code __class_getitem__}), run then too, and the imports they use stay. Calls from those bodies to other
 *       functions of M are not followed.</li>
 * </ul>
 * Costs are the medians over the successful samples of each dependent's baseline, read from the stored
 * {@code -X importtime} trees: the module's own node, and for each import the modules it loaded first, inside the
 * module's load; 0 in a dependent where another module-level import of the fleet's own code loads the imported own
 * module anyway (a third-party module loaded again later is not seen: its tree shows it once). A dependent without
 * a baseline is "not profiled" and in no total.
 */
public final class ModuleReports {

    private static final Set<String> RUN_WHEN_A_CLASS_IS_READ = Set.of("__init_subclass__", "__init__", "__new__", "__class_getitem__");

    private ModuleReports() {
    }

    /**
     * A dependent's latest module-load profile, with the version of the baseline it was stored as.
     *
     * @param profile the samples
     * @param version the baseline version
     */
    public record Profiled(AgentProfile profile, int version) {
    }

    /** Every module of the graph, ranked by {@link ModuleReport#BY_DEFERRABLE_COST}. */
    public static List<ModuleReport> all(ImportGraph graph, Function<Agent, Profiled> profiles) {
        return graph.modules().stream().map(m -> of(graph, m, profiles)).sorted(ModuleReport.BY_DEFERRABLE_COST).toList();
    }

    /** One module's report; {@code profiles} gives null for an agent without a usable baseline. */
    public static ModuleReport of(ImportGraph graph, FleetModule module, Function<Agent, Profiled> profiles) {
        List<Agent> dependents = graph.dependents(module);
        Map<AgentId, Profiled> measured = new java.util.LinkedHashMap<>();
        List<AgentId> notProfiled = new ArrayList<>();
        for (Agent agent : dependents) {
            Profiled p = profiles.apply(agent);
            if (p != null && p.profile().loaded()) {
                measured.put(agent.id(), p);
            } else {
                notProfiled.add(agent.id());
            }
        }
        Optional<FileFacts> facts = graph.facts(module.file());
        String error = facts.filter(f -> !f.parsed()).map(f -> f.error().toString()).orElse(null);
        List<ModuleImport> imports = new ArrayList<>();
        if (facts.isPresent() && facts.get().parsed()) {
            for (ImportVerdict verdict : DeferrableImports.classify(facts.get())) {
                ReadThrough read = verdict instanceof ImportVerdict.Deferrable
                        ? readThrough(graph, module, facts.get(), verdict.fact()).orElse(null) : null;
                // the own module the statement loads (the deepest of a.b.c), which another import may load anyway
                Set<ImportEdge> statement = new LinkedHashSet<>(graph.importsOf(module.file()).stream()
                        .filter(e -> e.fact().span().equals(verdict.fact().span())).toList());
                Optional<FleetModule> loaded = statement.stream().map(ImportEdge::target)
                        .max(java.util.Comparator.comparingInt(m -> m.name().length()));
                List<ImportCost> costs = new ArrayList<>();
                List<AgentId> anyway = new ArrayList<>();
                for (Agent agent : dependents) {
                    Profiled p = measured.get(agent.id());
                    if (p == null) {
                        continue;
                    }
                    if (loaded.isPresent() && graph.loadsEagerlyWithout(agent, loaded.get(), statement)) {
                        anyway.add(agent.id());
                        costs.add(cost(agent.id(), p, sample -> 0L));
                    } else {
                        costs.add(cost(agent.id(), p, sample -> importMicros(sample, module, verdict.fact())));
                    }
                }
                imports.add(new ModuleImport(verdict.fact(), verdict, read, costs, anyway));
            }
        }
        List<ImportCost> self = new ArrayList<>();
        List<ImportCost> cumulative = new ArrayList<>();
        measured.forEach((agent, p) -> {
            if (p.profile().samples().stream().filter(LoadSample::ok).anyMatch(s -> node(s, module.name()) != null)) {
                self.add(cost(agent, p, s -> node(s, module.name()) == null ? 0 : node(s, module.name()).selfMicros()));
                cumulative.add(cost(agent, p, s -> node(s, module.name()) == null ? 0 : node(s, module.name()).cumulativeMicros()));
            }
        });
        return new ModuleReport(module, dependents.stream().map(Agent::id).toList(), notProfiled, graph.importersOf(module), imports,
                self, cumulative, error);
    }

    /**
     * A module outside the fleet's own code by its dotted name: who imports it directly (static facts) and what it
     * costs the profiled agents that load it; empty when no analyzed file imports it and no profiled load contains it,
     * or when it is one of the fleet's own modules.
     */
    public static Optional<ExternalModuleReport> external(ImportGraph graph, String module, Function<Agent, Profiled> profiles) {
        if (graph.modules().stream().anyMatch(m -> m.name().equals(module))) {
            return Optional.empty();
        }
        List<ExternalModuleReport.Importer> importers = new ArrayList<>();
        Set<java.nio.file.Path> importing = new LinkedHashSet<>();
        graph.analyzed().forEach((file, facts) -> facts.imports().stream()
                .filter(f -> f.level() == 0 && !f.typeChecking())
                .filter(f -> f.module().equals(module) || (f.kind() == ImportFact.Kind.FROM && (f.module() + "." + f.name()).equals(module)))
                .forEach(f -> {
                    importers.add(new ExternalModuleReport.Importer(file, f.span().line(), f.text(), f.atModuleLevel()));
                    importing.add(file);
                }));
        List<AgentId> dependents = graph.agents().stream()
                .filter(a -> importing.contains(a.script().path().toAbsolutePath().normalize())
                        || graph.modulesOf(a).stream().anyMatch(m -> importing.contains(m.file())))
                .map(Agent::id).toList();
        List<AgentId> loadedBy = new ArrayList<>();
        List<ImportCost> self = new ArrayList<>();
        List<ImportCost> cumulative = new ArrayList<>();
        for (Agent agent : graph.agents()) {
            Profiled p = profiles.apply(agent);
            if (p == null || !p.profile().loaded()) {
                continue;
            }
            List<LoadSample> loading = p.profile().samples().stream().filter(s -> s.ok() && node(s, module) != null).toList();
            if (loading.isEmpty()) {
                continue;
            }
            loadedBy.add(agent.id());
            Profiled only = new Profiled(new AgentProfile(p.profile().target(), loading, p.profile().measuredOn()), p.version());
            self.add(cost(agent.id(), only, s -> node(s, module).selfMicros()));
            cumulative.add(cost(agent.id(), only, s -> node(s, module).cumulativeMicros()));
        }
        if (importers.isEmpty() && loadedBy.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ExternalModuleReport(module, dependents, loadedBy, importers, self, cumulative));
    }

    private static ImportCost cost(AgentId agent, Profiled p, Function<LoadSample, Long> micros) {
        List<LoadSample> ok = p.profile().samples().stream().filter(LoadSample::ok).toList();
        double median = Stats.of(ok.stream().map(s -> micros.apply(s) / 1000.0).toList()).median();
        return new ImportCost(agent, p.version(), ok.stream().map(LoadSample::run).toList(), median);
    }

    /** The module's node in one sample's tree (a module is printed once: where it was first imported), or null. */
    private static ImportTree.Node node(LoadSample sample, String module) {
        for (ImportTree.Node root : ImportTree.roots(sample.imports())) {
            ImportTree.Node found = find(root, module);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static ImportTree.Node find(ImportTree.Node node, String module) {
        if (node.module().equals(module)) {
            return node;
        }
        for (ImportTree.Node child : node.children()) {
            ImportTree.Node found = find(child, module);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Microseconds of the modules an import of {@code module} loaded first, inside the module's own load. */
    private static long importMicros(LoadSample sample, FleetModule module, ImportFact fact) {
        ImportTree.Node node = node(sample, module.name());
        String base = absolute(module, fact);
        if (node == null || base == null) {
            return 0;
        }
        Set<String> wanted = new LinkedHashSet<>(List.of(base));
        if (fact.kind() == ImportFact.Kind.FROM && fact.name() != null && !fact.star()) {
            wanted.add(base + "." + fact.name());
        }
        long micros = 0;
        for (ImportTree.Node child : node.children()) {
            if (wanted.stream().anyMatch(w -> w.equals(child.module()) || w.startsWith(child.module() + "."))) {
                micros += child.cumulativeMicros();
            }
        }
        return micros;
    }

    /** The absolute dotted module an import of {@code module} names; null for a relative import that leaves the root. */
    static String absolute(FleetModule module, ImportFact fact) {
        if (fact.level() == 0) {
            return fact.module();
        }
        List<String> parts = new ArrayList<>(List.of(module.name().split("\\.")));
        if (!module.isPackage()) {
            parts.removeLast();
        }
        for (int i = 1; i < fact.level(); i++) {
            if (parts.isEmpty()) {
                return null;
            }
            parts.removeLast();
        }
        String rest = fact.module().replaceFirst("^\\.+", "");
        if (!rest.isEmpty()) {
            parts.add(rest);
        }
        return parts.isEmpty() ? null : String.join(".", parts);
    }

    /**
     * What the module's importers read through it, in the form {@code lazy_loading} and {@code dependency_reduction}
     * take for a shared module: each of its import-bound names an importer needs while it loads (with the reason, as
     * {@code score MODULE} gives it), the names importers import from it otherwise, and where an importer binds the
     * module itself.
     */
    public static ImporterReads importerReads(ImportGraph graph, FleetModule module) {
        FileFacts facts = graph.facts(module.file()).filter(FileFacts::parsed).orElse(null);
        if (facts == null) {
            return ImporterReads.NONE;
        }
        Map<String, String> atImportTime = new java.util.LinkedHashMap<>();
        for (ImportFact imported : facts.moduleLevelImports()) {
            if (imported.bound() != null) {
                readThrough(graph, module, facts, imported).ifPresent(read -> atImportTime.putIfAbsent(imported.bound(), read.explain()));
            }
        }
        Set<String> bound = new LinkedHashSet<>(facts.moduleLevelImports().stream().map(ImportFact::bound).filter(java.util.Objects::nonNull).toList());
        Map<String, String> later = new java.util.LinkedHashMap<>();
        String whole = null;
        for (ImportEdge edge : graph.importersOf(module)) {
            ImportFact f = edge.fact();
            if (readsFrom(graph, module, edge)) {
                if (f.name() != null && bound.contains(f.name()) && !atImportTime.containsKey(f.name())) {
                    later.putIfAbsent(f.name(), edge.where());
                }
            } else if (whole == null) {
                whole = edge.where();
            }
        }
        return new ImporterReads(atImportTime, later, whole);
    }

    /** Whether the edge reads names from the module ({@code from M import x}) rather than binding the module itself. */
    private static boolean readsFrom(ImportGraph graph, FleetModule module, ImportEdge edge) {
        ImportFact f = edge.fact();
        String fromModule = graph.moduleOf(edge.importer().toString()).map(m -> absolute(m, f)).orElse(f.level() == 0 ? f.module() : null);
        return f.kind() == ImportFact.Kind.FROM && module.name().equals(fromModule);
    }

    /** The first importer that needs the import while it loads, through the module; see the class comment. */
    private static Optional<ReadThrough> readThrough(ImportGraph graph, FleetModule module, FileFacts moduleFacts, ImportFact imported) {
        String bound = imported.bound();
        for (ImportEdge edge : graph.importersOf(module)) {
            ImportFact f = edge.fact();
            FileFacts importer = graph.facts(edge.importer()).orElse(null);
            boolean readsFrom = readsFrom(graph, module, edge);
            if (readsFrom && f.star() && readByStar(moduleFacts, bound)) {
                return Optional.of(new ReadThrough(edge.importer(), edge.line(), "imports * from it, which reads `%s` while it loads"
                        .formatted(bound)));
            }
            if (importer == null || !edge.atModuleLevel() || f.bound() == null) {
                continue;
            }
            Optional<Use> early = importer.usesOf(f.bound()).stream()
                    .filter(u -> u.phase() == Use.Phase.IMPORT_TIME || u.phase() == Use.Phase.MAIN).findFirst();
            if (early.isEmpty()) {
                continue;
            }
            Use use = early.get();
            if (readsFrom && bound.equals(f.name())) {
                return Optional.of(new ReadThrough(edge.importer(), use.line(),
                        "imports `%s` from it (a re-export, line %d) and uses it while it loads (%s)".formatted(bound, edge.line(), use.via())));
            }
            if (!readsFrom) {
                return Optional.of(new ReadThrough(edge.importer(), use.line(),
                        "reads the module `%s` itself (%s); which of its names it reads is not known".formatted(module.name(), use.via())));
            }
            String name = f.name();
            Optional<Use> inside = moduleFacts.usesOf(bound).stream().filter(u -> runsWhenRead(u.via(), name)).findFirst();
            if (inside.isPresent()) {
                String body = inside.get().via().substring("inside ".length());
                return Optional.of(new ReadThrough(edge.importer(), use.line(),
                        "uses `%s` while it loads (%s), which runs `%s` of this module, where line %d uses it"
                                .formatted(name, use.via(), body, inside.get().line())));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code from M import *} reads the name: listed in {@code __all__}; where no import of M is listed there,
     * M may have no {@code __all__} (the facts cannot tell), so every public name counts.
     */
    private static boolean readByStar(FileFacts moduleFacts, String bound) {
        boolean exported = moduleFacts.usesOf(bound).stream().anyMatch(u -> u.phase() == Use.Phase.EXPORT);
        boolean hasAll = moduleFacts.uses().values().stream().flatMap(List::stream).anyMatch(u -> u.phase() == Use.Phase.EXPORT);
        return exported || (!hasAll && !bound.startsWith("_"));
    }

    /** Whether a use {@code inside f()} or {@code inside C.m()} runs when an importer reads {@code name} at import. */
    private static boolean runsWhenRead(String via, String name) {
        if (via == null || !via.startsWith("inside ") || !via.endsWith("()")) {
            return false;
        }
        String body = via.substring("inside ".length(), via.length() - 2);
        if (body.equals(name)) {
            return true;
        }
        return body.startsWith(name + ".") && RUN_WHEN_A_CLASS_IS_READ.contains(body.substring(name.length() + 1));
    }
}
