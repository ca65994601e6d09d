package io.fleetshell.shell.commands;

import io.fleetshell.engine.Progress;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.python.graph.ExternalModuleReport;
import io.fleetshell.engine.python.graph.FleetModule;
import io.fleetshell.engine.python.graph.ImportCost;
import io.fleetshell.engine.python.graph.ImportEdge;
import io.fleetshell.engine.python.graph.ImportGraph;
import io.fleetshell.engine.python.graph.ModuleImport;
import io.fleetshell.engine.python.graph.ModuleReport;
import io.fleetshell.engine.python.shared.SiblingImports;
import io.fleetshell.engine.python.graph.ModuleReports;
import io.fleetshell.history.Baseline;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@code score --modules} and {@code score MODULE}: the fleet's own modules judged and priced through the import graph,
 * from static facts and each dependent's latest baseline (used only while the agent's script is the one measured).
 */
@Component
public class ModuleViews {

    private final ShellSession session;

    public ModuleViews(ShellSession session) {
        this.session = session;
    }

    /** The import graph of the inventory's Python agents (one analysis process per machine and level of imports). */
    ImportGraph graph(Inventory inventory) {
        Progress.update("graph", "import graph: analyzing the agents' files and the fleet modules they import");
        try {
            ImportGraph graph = ImportGraph.build(inventory, session.hosts(), new PythonFacts(), session.settings().sideEffectModules());
            graph.unreached().forEach((machine, why) -> session.output().warn("%s Python agent%s of machine %s %s not in the import graph: %s"
                    .formatted(count(inventory, machine), count(inventory, machine) == 1 ? "" : "s", machine,
                            count(inventory, machine) == 1 ? "is" : "are", why)));
            return graph;
        } finally {
            Progress.end("graph");
        }
    }

    private static long count(Inventory inventory, String machine) {
        return inventory.agents().stream().filter(a -> a.machine().equals(machine) && a.language() == io.fleetshell.engine.inventory.Language.PYTHON)
                .count();
    }

    /**
     * Each dependent's latest baseline, when it was measured on the files as they are now: the agent's script has the
     * checksum it was measured with, and no fleet module the agent loads was modified after the measurement.
     */
    Function<Agent, ModuleReports.Profiled> profiles(ImportGraph graph) {
        Map<AgentId, Baseline> latest = new HashMap<>();
        session.baselines().latest().forEach(b -> latest.put(b.profile().target().agent(), b));
        return agent -> {
            Baseline b = latest.get(agent.id());
            String sha = graph.facts(agent.script().path()).map(FileFacts::sha256).orElse(null);
            if (b == null || !Objects.equals(b.scriptSha256(), sha)
                    || graph.modulesOf(agent).stream().anyMatch(m -> graph.modified(m.file()).map(t -> t.isAfter(b.createdAt())).orElse(true))) {
                return null;
            }
            return new ModuleReports.Profiled(b.profile(), b.version());
        };
    }

    /** {@code score --modules}: the fleet's own modules, costliest deferrable imports first. */
    void ranking(Inventory inventory, Integer top, boolean json) {
        ImportGraph graph = graph(inventory);
        List<ModuleReport> reports = ModuleReports.all(graph, profiles(graph));
        List<ModuleReport> shown = top == null ? reports : reports.stream().limit(top).toList();
        Map<String, ModuleReport> byName = new HashMap<>();
        reports.forEach(r -> byName.put(r.module().name(), r));
        Map<String, List<SiblingImports.Finding>> siblings = new java.util.LinkedHashMap<>();
        shown.forEach(r -> siblings.put(r.module().name(), SiblingImports.of(graph, r, byName)));
        Output out = session.output();
        if (json) {
            out.json(new RankingJson(shown.stream().map(r -> ModuleJson.of(r, siblings.get(r.module().name()))).toList()));
            return;
        }
        if (shown.isEmpty()) {
            out.info("No Python agent imports a module of the fleet's own code (files under the fleet root).");
            return;
        }
        TextTable table = new TextTable("#", "MODULE", "FILE", "AGENTS", "DEFERRABLE MS", "DEFERRABLE IMPORTS", "AGENTS AFFECTED")
                .path("FILE").note("AGENTS AFFECTED").optional("FILE");
        int rank = 0;
        for (ModuleReport r : shown) {
            String deferrable = r.deferrable().isEmpty() ? "-" : String.join(", ", r.deferrable().stream()
                    .map(i -> "%s (line %d)".formatted(i.fact().text(), i.fact().span().line())).toList());
            table.row(++rank, r.module().name(), r.module().relativePath(), "%d (%d profiled)".formatted(r.dependents().size(), r.profiled().size()),
                    total(r), deferrable, String.join(", ", r.dependents().stream().map(AgentId::toString).toList()));
        }
        out.table(table);
        siblings.forEach((module, findings) -> findings.forEach(f -> out.info("%s: `%s` (line %d): %s.".formatted(module,
                f.imported().fact().text(), f.imported().fact().span().line(), f.explain(module)))));
        out.info("DEFERRABLE MS adds up, over the profiled dependents, what the imports that can be deferred for every importer cost "
                + "in each one's latest baseline; score MODULE shows the samples behind each figure and why the other imports stay.");
    }

    /**
     * {@code score MODULE}: one of the fleet's own modules (its imports with their fleet-wide verdicts and figures, its
     * importers and dependents), else a module outside the fleet's own code that agents import or load.
     *
     * @param required whether the name can only be a module: then an unknown one is an error naming the modules known
     * @return false when no such module is known and it was not required (the caller reads the name as an agent's)
     */
    boolean detail(Inventory inventory, String name, boolean json, boolean required) {
        ImportGraph graph = graph(inventory);
        Function<Agent, ModuleReports.Profiled> profiles = profiles(graph);
        java.util.Optional<FleetModule> own = graph.moduleOf(name);
        if (own.isPresent()) {
            detail(graph, own.get(), profiles, name, json);
            return true;
        }
        java.util.Optional<ExternalModuleReport> external = ModuleReports.external(graph, name.strip(), profiles);
        if (external.isPresent()) {
            external(external.get(), json);
            return true;
        }
        if (required) {
            graph.module(name); // throws, naming the known modules
        }
        return false;
    }

    private void external(ExternalModuleReport r, boolean json) {
        Output out = session.output();
        if (json) {
            out.json(new ExternalJson(r.module(), true, ids(r.dependents()), ids(r.loadedBy()),
                    r.importers().stream().map(i -> new ImporterJson(i.file().toString(), i.line(), i.statement(), i.moduleLevel())).toList(),
                    r.self().stream().map(CostJson::of).toList(), r.cumulative().stream().map(CostJson::of).toList()));
            return;
        }
        out.println("%s (not the fleet's own code): imported directly by the files of %d agent%s, loaded by %d profiled agent%s"
                .formatted(r.module(), r.dependents().size(), r.dependents().size() == 1 ? "" : "s", r.loadedBy().size(),
                        r.loadedBy().size() == 1 ? "" : "s"));
        if (!r.cumulative().isEmpty()) {
            out.println("load per agent (median): self %s ms, cumulative %s ms".formatted(range(r.self()), range(r.cumulative())));
        }
        out.println("imported by:");
        r.importers().forEach(i -> out.println("  %s:%d %s%s".formatted(i.file(), i.line(), i.statement(), i.moduleLevel() ? "" : " (inside a function)")));
        if (!r.loadedBy().isEmpty()) {
            out.println(TextTable.wrap("loaded by: ", String.join(", ", ids(r.loadedBy())), out.width()));
            out.println(TextTable.wrap("samples: ", String.join("; ", r.cumulative().stream().map(ImportCost::source).toList()), out.width()));
        } else {
            out.println("not profiled: no profiled agent's load contains it (profile its dependents to measure it)");
        }
    }

    /** A path under the module's import root shown relative to it (the listing says which root once); any other as it is. */
    private static String underRoot(java.nio.file.Path root, java.nio.file.Path file) {
        return file.startsWith(root) ? root.relativize(file).toString() : file.toString();
    }

    private static List<String> ids(List<AgentId> ids) {
        return ids.stream().map(AgentId::toString).toList();
    }

    private void detail(ImportGraph graph, FleetModule module, Function<Agent, ModuleReports.Profiled> profiles, String name, boolean json) {
        ModuleReport r = ModuleReports.of(graph, module, profiles);
        Map<String, ModuleReport> byName = new HashMap<>();
        graph.modules().forEach(m -> byName.put(m.name(), m.equals(module) ? r : ModuleReports.of(graph, m, profiles)));
        List<SiblingImports.Finding> siblings = SiblingImports.of(graph, r, byName);
        Output out = session.output();
        if (json) {
            out.json(ModuleJson.of(r, siblings));
            return;
        }
        StringBuilder text = new StringBuilder();
        text.append("%s (%s): imported by %d agent%s, %d profiled%n".formatted(module.name(), module.file(), r.dependents().size(),
                r.dependents().size() == 1 ? "" : "s", r.profiled().size()));
        if (r.error() != null) {
            text.append("not analyzed: %s%n".formatted(r.error()));
        }
        text.append(r.deferrableMillis() == null
                ? "deferrable imports: not profiled (profile its dependents to measure them)%n".formatted()
                : "deferrable imports add %.1f ms across %d profiled agent%s%n".formatted(r.deferrableMillis(), r.profiled().size(),
                r.profiled().size() == 1 ? "" : "s"));
        if (!r.cumulative().isEmpty()) {
            text.append("module load per agent (median): self %s ms, cumulative %s ms%n".formatted(range(r.self()), range(r.cumulative())));
        }
        out.println(text.toString().stripTrailing());
        if (!r.imports().isEmpty()) {
            TextTable table = new TextTable("LINE", "IMPORT", "VERDICT", "MS, ALL AGENTS", "REASON").note("REASON");
            r.imports().forEach(i -> table.row(i.fact().span().line(), i.fact().text(), i.verdictWord(),
                    i.totalMillis() == null ? "not profiled" : "%.1f".formatted(i.totalMillis()), i.explain()
                            + (i.loadedAnyway().isEmpty() ? "" : " 0 ms in %s: another import loads it anyway."
                            .formatted(String.join(", ", i.loadedAnyway().stream().map(AgentId::toString).toList())))
                            + siblings.stream().filter(f -> f.imported() == i).findFirst().map(f -> " " + f.explain(module.name()) + ".")
                            .orElse("")));
            out.println("");
            out.table(table);
        }
        out.println("");
        out.println("imported by (paths under %s):".formatted(module.root()));
        r.importers().stream().map(e -> "  %s:%d %s%s".formatted(underRoot(module.root(), e.importer()), e.line(), e.fact().text(),
                        e.atModuleLevel() ? "" : " (inside a function)"))
                .distinct().forEach(out::println);
        out.println(TextTable.wrap("dependents: ", String.join(", ", r.dependents().stream().map(AgentId::toString).toList()), out.width()));
        if (!r.notProfiled().isEmpty()) {
            out.println(TextTable.wrap("not profiled: ", String.join(", ", r.notProfiled().stream().map(AgentId::toString).toList()), out.width()));
        }
        if (!r.cumulative().isEmpty()) {
            out.println(TextTable.wrap("samples: ", String.join("; ", r.cumulative().stream().map(ImportCost::source).toList()), out.width()));
        }
        out.info("score %s --json gives each figure per agent with the baseline and runs it is the median of.".formatted(name));
    }

    private static String total(ModuleReport r) {
        return r.deferrableMillis() == null ? "not profiled" : "%.1f".formatted(r.deferrableMillis());
    }

    private static String range(List<ImportCost> costs) {
        double min = costs.stream().mapToDouble(ImportCost::millis).min().orElse(0);
        double max = costs.stream().mapToDouble(ImportCost::millis).max().orElse(0);
        return Math.abs(max - min) < 0.05 ? "%.1f".formatted(min) : "%.1f-%.1f".formatted(min, max);
    }

    /** {@code score --modules --json}: the modules shown, costliest first. */
    record RankingJson(List<ModuleJson> modules) {
    }

    /**
     * One module in JSON: every figure with the agent, baseline version and runs it is the median of; {@code deferrable_ms}
     * is null when no dependent was profiled.
     */
    record ModuleJson(String module, String file, List<String> dependents, List<String> notProfiled, Double deferrableMs,
                      List<ImporterJson> importers, List<ImportJson> imports, List<CostJson> selfMs, List<CostJson> cumulativeMs,
                      @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String error) {

        static ModuleJson of(ModuleReport r, List<SiblingImports.Finding> siblings) {
            return new ModuleJson(r.module().name(), r.module().file().toString(), ids(r.dependents()), ids(r.notProfiled()), r.deferrableMillis(),
                    r.importers().stream().map(ImporterJson::of).distinct().toList(), r.imports().stream().map(i -> ImportJson.of(i,
                            siblings.stream().filter(f -> f.imported() == i).findFirst().orElse(null), r.module().name())).toList(),
                    r.self().stream().map(CostJson::of).toList(), r.cumulative().stream().map(CostJson::of).toList(), r.error());
        }

        private static List<String> ids(List<AgentId> ids) {
            return ids.stream().map(AgentId::toString).toList();
        }
    }

    /** {@code score MODULE --json} of a module outside the fleet's own code; {@code external} is always true. */
    record ExternalJson(String module, boolean external, List<String> dependents, List<String> loadedBy, List<ImporterJson> importers,
                        List<CostJson> selfMs, List<CostJson> cumulativeMs) {
    }

    record ImporterJson(String file, int line, String statement, boolean moduleLevel) {
        static ImporterJson of(ImportEdge e) {
            return new ImporterJson(e.importer().toString(), e.line(), e.fact().text(), e.atModuleLevel());
        }
    }

    /**
     * One import; {@code loaded_anyway_by} lists the sibling modules that import the same module at their module level in
     * agents that load both, {@code together} the modules to change as one ({@code optimize --modules}) for it to gain
     * (both absent when no sibling imports it).
     */
    record ImportJson(int line, String statement, String verdict, String reason, Double totalMs, List<CostJson> perAgent,
                      List<String> loadedAnyway,
                      @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) List<SiblingJson> loadedAnywayBy,
                      @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) List<String> together) {
        static ImportJson of(ModuleImport i, SiblingImports.Finding finding, String module) {
            return new ImportJson(i.fact().span().line(), i.fact().text(), i.verdictWord(), i.explain(), i.totalMillis(),
                    i.costs().stream().map(CostJson::of).toList(), i.loadedAnyway().stream().map(AgentId::toString).toList(),
                    finding == null ? null : finding.siblings().stream().map(s -> new SiblingJson(s.module(), s.line(), s.statement(),
                            s.deferrable(), s.sharedDependents())).toList(),
                    finding == null || !finding.keptEager().isEmpty() ? null : finding.together(module));
        }
    }

    record SiblingJson(String module, int line, String statement, boolean deferrable, int sharedDependents) {
    }

    record CostJson(String agent, int baselineVersion, List<Integer> runs, double ms) {
        static CostJson of(ImportCost c) {
            return new CostJson(c.agent().toString(), c.baselineVersion(), c.runs(), c.millis());
        }
    }
}
