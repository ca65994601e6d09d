package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.Progress;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.graph.FleetModule;
import io.fleetshell.engine.python.graph.ImportGraph;
import io.fleetshell.engine.python.pattern.DeferHeavyImports;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.engine.python.pattern.RemoveUnusedImports;
import io.fleetshell.engine.python.shared.DependentsProof;
import io.fleetshell.engine.python.shared.JointModuleOptimization;
import io.fleetshell.engine.python.shared.SharedModuleOptimization;
import io.fleetshell.engine.python.shared.SharedModuleOptimizer;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.ModuleChange;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StoredStep;

import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.List;
import java.util.Map;

/**
 * {@code optimize MODULE}: a module of the fleet's own code that agents import (issue 14), rewritten by
 * {@code dependency_reduction} and {@code lazy_loading} with one shared lazy helper, and proved on the module and on
 * every agent that imports it. Shows the diff of every file of the change and the proof per dependent; without
 * {@code --dry-run} a deployable change is deployed as one multi-file step ({@link ModuleChange}).
 */
@Component
class OptimizeModule {

    private final ShellSession session;
    private final Rollouts rollouts;
    private final ModuleViews modules;

    OptimizeModule(ShellSession session, Rollouts rollouts, ModuleViews modules) {
        this.session = session;
        this.rollouts = rollouts;
        this.modules = modules;
    }

    void optimize(Inventory inventory, String name, String patternId, String helperPackage, boolean dryRun, int runs, boolean json) {
        SharedModuleOptimization result = prove(inventory, name, patternId, helperPackage, runs);
        Output out = session.output();
        String moduleName = result.module();
        DeploymentResult deployment = null;
        if (!dryRun && result.deployable()) {
            deployment = deploy(inventory, result, out, json);
        }
        session.journal().summary(deployment != null
                ? "optimize %s (%s): deployment %d %s".formatted(moduleName, result.change().pattern(), deployment.deploymentId(),
                        deployment.state().words())
                : "optimize %s (%s%s): %s".formatted(moduleName, result.change().pattern(), dryRun ? ", dry run" : "",
                        !result.change().changes() ? "nothing to change" : result.deployable() ? "deployable" : "not deployable, nothing changed"));
        if (json) {
            out.json(ModuleJson.of(result, deployment));
        } else {
            print(out, result, dryRun);
            if (deployment != null) {
                StoredStep step = deployment.steps().getFirst();
                out.println("deployment %d: %s, step %s %s%s".formatted(deployment.deploymentId(), deployment.state().words(),
                        step.label(), step.state().text(), step.detail() == null ? "" : " (" + step.detail() + ")"));
            }
        }
        if (result.change().changes() && !result.deployable()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "%s: the change is not deployable: %s. Nothing was changed.".formatted(
                    moduleName, result.proof().firstFailure().orElse("no check passed")));
        }
        if (deployment != null && !deployment.ok()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "deployment %d of %s ended %s".formatted(
                    deployment.deploymentId(), moduleName, deployment.state().with(deployment.summary())));
        }
    }

    /**
     * The module's change made by {@code dependency_reduction} and {@code lazy_loading} (or the one pattern asked for) and
     * proved on the module and on every agent that imports it; nothing in the fleet is written.
     */
    SharedModuleOptimization prove(Inventory inventory, String name, String patternId, String helperPackage, int runs) {
        List<Pattern<FileFacts>> patterns = patterns(patternId);
        ImportGraph graph = modules.graph(inventory);
        FleetModule module = graph.module(name);
        SharedModuleOptimizer.SharedModule shared = SharedModuleOptimizer.SharedModule.of(graph, module);
        session.journal().agents(shared.dependents().stream().map(Agent::id).toList());
        session.output().info("Optimizing module %s (%s), imported by %d agent%s: %s, then proving it on each of them (%d paired loads in all)..."
                .formatted(module.name(), module.file(), shared.dependents().size(), shared.dependents().size() == 1 ? "" : "s",
                        String.join(" then ", patterns.stream().map(Pattern::id).toList()),
                        shared.dependents().size() * Math.max(2, (2 * runs + shared.dependents().size() - 1) / shared.dependents().size())));
        Progress.update("module", "rewriting " + module.name());
        try {
            return rollouts.sharedModules(2 * runs).optimize(inventory, shared, helperPackage, patterns);
        } finally {
            Progress.end("module");
        }
    }

    /**
     * {@code optimize --modules M1,M2} (or {@code --all-shared}): the modules rewritten as ONE change and proved once over
     * the union of their dependents; without {@code --dry-run} a deployable change is deployed as one multi-file step.
     */
    void optimizeJoint(Inventory inventory, List<String> names, String patternId, String helperPackage, boolean dryRun, int runs, boolean json) {
        JointModuleOptimization result = proveJoint(inventory, names, patternId, helperPackage, runs);
        Output out = session.output();
        boolean changes = result.change() != null && result.change().changes();
        DeploymentResult deployment = null;
        if (!dryRun && result.deployable()) {
            if (!json) {
                out.info(("Applying the joint change as a one-step deployment of %d files (backup, atomic writes, proof on disk, restart and "
                        + "health gate of the running dependents)...").formatted(result.change().changed().size()));
            }
            ModuleChange change = changeOf(result);
            InterruptibleRollout rollout = new InterruptibleRollout(RolloutListener.SILENT, session.interrupts(), null);
            deployment = rollout.run(rollouts, inventory, () -> rollouts.writtenFileExecutor(inventory).run(Planner.of(change), rollout));
        }
        String label = changes ? result.name() : String.join(",", result.left().keySet());
        DeploymentResult deployed = deployment;
        session.journal().summary(deployed != null
                ? "optimize --modules %s: deployment %d %s".formatted(label, deployed.deploymentId(), deployed.state().words())
                : "optimize --modules %s%s: %s".formatted(label, dryRun ? " (dry run)" : "",
                        !changes ? "nothing to change" : result.deployable() ? "deployable" : "not deployable, nothing changed"));
        if (json) {
            out.json(JointJson.of(result, deployment));
        } else {
            printJoint(out, result, dryRun);
            if (deployment != null) {
                StoredStep step = deployment.steps().getFirst();
                out.println("deployment %d: %s, step %s %s%s".formatted(deployment.deploymentId(), deployment.state().words(),
                        step.label(), step.state().text(), step.detail() == null ? "" : " (" + step.detail() + ")"));
            }
        }
        if (changes && !result.deployable()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "the joint change of %s is not deployable: %s. Nothing was changed.".formatted(
                    label, result.proof().firstFailure().orElse("no check passed")));
        }
        if (deployment != null && !deployment.ok()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "deployment %d of %s ended %s".formatted(
                    deployment.deploymentId(), label, deployment.state().with(deployment.summary())));
        }
    }

    /**
     * The modules {@code --all-shared} takes: every module of the fleet's own code that {@code score --modules} finds with a
     * deferrable import, costliest first.
     */
    private List<String> allShared(ImportGraph graph) {
        List<String> names = io.fleetshell.engine.python.graph.ModuleReports.all(graph, modules.profiles(graph)).stream()
                .filter(r -> !r.deferrable().isEmpty() && !r.dependents().isEmpty()).map(r -> r.module().name()).toList();
        if (names.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "no module of the fleet's own code has an import that can be deferred for every "
                    + "importer (score --modules shows each module's imports); nothing was changed");
        }
        return names;
    }

    /**
     * The modules' joint change made and proved once over the union of their dependents; nothing in the fleet is written.
     *
     * @param names the modules (dotted names or paths), or null for every module {@code score --modules} finds with a
     *              deferrable import ({@code --all-shared})
     */
    JointModuleOptimization proveJoint(Inventory inventory, List<String> names, String patternId, String helperPackage, int runs) {
        List<Pattern<FileFacts>> patterns = patterns(patternId);
        ImportGraph graph = modules.graph(inventory);
        List<SharedModuleOptimizer.SharedModule> shared = new java.util.ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String name : names == null ? allShared(graph) : names) {
            FleetModule module = graph.module(name);
            if (seen.add(module.name())) {
                shared.add(SharedModuleOptimizer.SharedModule.of(graph, module));
            }
        }
        long dependents = shared.stream().flatMap(m -> m.dependents().stream()).map(Agent::id).distinct().count();
        session.journal().agents(shared.stream().flatMap(m -> m.dependents().stream()).map(Agent::id).distinct().toList());
        session.output().info(("Optimizing %d modules as one change (%s), imported by %d agents in all: %s on each, then proving the change "
                + "once on all of them (%d paired loads in all)...").formatted(shared.size(), String.join(", ",
                shared.stream().map(SharedModuleOptimizer.SharedModule::name).toList()), dependents,
                String.join(" then ", patterns.stream().map(Pattern::id).toList()),
                dependents == 0 ? 0 : dependents * Math.max(2, (2 * runs + dependents - 1) / dependents)));
        Progress.update("module", "rewriting " + shared.size() + " modules");
        try {
            return rollouts.sharedModules(2 * runs).optimize(inventory, shared, helperPackage, patterns);
        } finally {
            Progress.end("module");
        }
    }

    /** A deployable joint change as the rollout's one multi-file step, named by all its modules. */
    static ModuleChange changeOf(JointModuleOptimization result) {
        List<String> deferred = result.modules().stream().flatMap(p -> p.deferredNames().stream()).distinct().toList();
        List<String> removed = result.modules().stream().flatMap(p -> p.removedNames().stream()).distinct().toList();
        return new ModuleChange(result.name(), result.dependents().getFirst().machine(), result.modules().getFirst().file(), result.change(),
                result.dependents().stream().map(Agent::id).toList(), new ProofHints(deferred, removed), null);
    }

    private static void printJoint(Output out, JointModuleOptimization result, boolean dryRun) {
        out.println("joint change of %d module%s (Python %s, %s), imported by %d agents: %s".formatted(result.modules().size(),
                result.modules().size() == 1 ? "" : "s", result.pythonVersion(), result.python(), result.dependents().size(),
                String.join(", ", result.dependents().stream().map(a -> a.id().toString()).toList())));
        result.left().forEach((module, why) -> out.println("  left out: %s: %s".formatted(module, why)));
        if (result.change() == null || !result.change().changes()) {
            out.println("nothing to change: no module's rewrite changes a file");
            return;
        }
        printChange(out, result.change());
        DependentsProof.Result proof = result.proof();
        printModuleChecks(out, proof);
        Map<String, DependentsProof.DependentResult> byAgent = new LinkedHashMap<>();
        proof.dependents().forEach(d -> byAgent.put(d.agent().toString(), d));
        TextTable perModule = new TextTable("MODULE", "DEFERS", "REMOVES", "DEPENDENTS", "PASSED", "CPU MS BEFORE", "CPU MS AFTER")
                .note("DEFERS").optional("REMOVES");
        for (JointModuleOptimization.Part part : result.modules()) {
            List<DependentsProof.DependentResult> mine = part.dependents().stream().map(a -> byAgent.get(a.toString()))
                    .filter(java.util.Objects::nonNull).toList();
            perModule.row(part.module(), part.deferredNames().isEmpty() ? "-" : String.join(", ", part.deferredNames()),
                    part.removedNames().isEmpty() ? "-" : String.join(", ", part.removedNames()), part.dependents().size(),
                    "%d of %d".formatted(mine.stream().filter(DependentsProof.DependentResult::passed).count(), mine.size()),
                    median(mine, "before_cpu_median_ms"), median(mine, "after_cpu_median_ms"));
        }
        out.table(perModule);
        printVerdict(out, proof, result.deployable(), dryRun);
    }

    /** The median over these dependents of one per-dependent median, or "-" when none was measured. */
    private static String median(List<DependentsProof.DependentResult> results, String key) {
        List<Double> values = results.stream().map(r -> r.loadTime().get(key)).filter(v -> v instanceof Double).map(v -> (Double) v).sorted().toList();
        if (values.isEmpty()) {
            return "-";
        }
        int n = values.size();
        return "%.1f".formatted(n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2);
    }

    /** A deployable proved change as the rollout's multi-file step. */
    static ModuleChange changeOf(SharedModuleOptimization result) {
        return new ModuleChange(result.module(), result.dependents().getFirst().machine(), result.file(), result.change(),
                result.dependents().stream().map(Agent::id).toList(), new ProofHints(result.deferredNames(), result.removedNames()), null);
    }

    /**
     * The proved change as a one-step deployment of all its files (the rollout's multi-file step): every file checked
     * against the bytes it was made from (a helper still absent), backed up (the helper as "absent"), written in the
     * change's order, proved in place, the running dependents restarted and gated together; restored whole on failure.
     */
    private DeploymentResult deploy(Inventory inventory, SharedModuleOptimization result, Output out, boolean json) {
        if (!json) {
            out.info(("Applying to %s as a one-step deployment of %d file%s (backup, atomic writes, proof on disk, restart and health gate "
                    + "of the running dependents)...").formatted(result.file(), result.change().changed().size(),
                    result.change().changed().size() == 1 ? "" : "s"));
        }
        ModuleChange change = changeOf(result);
        InterruptibleRollout rollout = new InterruptibleRollout(RolloutListener.SILENT, session.interrupts(), null);
        return rollout.run(rollouts, inventory, () -> rollouts.writtenFileExecutor(inventory).run(Planner.of(change), rollout));
    }

    private static List<Pattern<FileFacts>> patterns(String patternId) {
        if (patternId == null || patternId.isBlank()) {
            return List.of(PythonPatterns.byId(RemoveUnusedImports.ID), PythonPatterns.byId(DeferHeavyImports.ID));
        }
        if (!patternId.equals(RemoveUnusedImports.ID) && !patternId.equals(DeferHeavyImports.ID)) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--pattern %s: a shared module takes lazy_loading or dependency_reduction; nothing was changed"
                    .formatted(patternId));
        }
        return List.of(PythonPatterns.byId(patternId));
    }

    private static void print(Output out, SharedModuleOptimization result, boolean dryRun) {
        out.println("%s: %s (Python %s, %s), imported by %s".formatted(result.module(), result.file(), result.pythonVersion(), result.python(),
                String.join(", ", result.dependents().stream().map(a -> a.id().toString()).toList())));
        if (!result.change().changes()) {
            out.println("nothing to change:");
            result.applicability().forEach((id, a) -> a.reasons().forEach(r -> out.println("  %s: %s".formatted(id, r))));
            return;
        }
        printChange(out, result.change());
        DependentsProof.Result proof = result.proof();
        printModuleChecks(out, proof);
        printVerdict(out, proof, result.deployable(), dryRun);
    }

    /** Each changed file's diff (additions green, removals red), then the change's notes. */
    private static void printChange(Output out, ChangeSet change) {
        for (Rewrite file : change.changed()) {
            out.println("");
            out.println("%s %s".formatted(file.createsFile() ? "creates" : "changes", file.file()));
            for (String line : file.unifiedDiff().split("\n")) {
                out.println(line.startsWith("+") && !line.startsWith("+++") ? out.style(line, "32")
                        : line.startsWith("-") && !line.startsWith("---") ? out.style(line, "31") : line);
            }
        }
        out.println("notes:");
        // a joint change's modules share most of their notes (the helper, what lazy loading still changes): once each
        java.util.stream.Stream.concat(change.notes().stream(), change.files().stream().flatMap(f -> f.notes().stream()))
                .distinct().forEach(out::item);
        out.println("");
    }

    private static void printModuleChecks(Output out, DependentsProof.Result proof) {
        TextTable checks = new TextTable("CHECK", "RESULT", "DETAIL").note("DETAIL");
        proof.module().forEach(c -> checks.row("module: " + c.name(), outcome(out, c.outcome()), c.detail()));
        out.table(checks);
    }

    /** Every dependent's checks and load times, the load-time test over all of them, and the verdict. */
    private static void printVerdict(Output out, DependentsProof.Result proof, boolean deployable, boolean dryRun) {
        TextTable dependents = new TextTable("DEPENDENT", "LOADS", "NAMES", "TESTS", "CPU MS BEFORE", "CPU MS AFTER", "FASTER PAIRS")
                .optional("TESTS");
        for (DependentsProof.DependentResult d : proof.dependents()) {
            dependents.row(d.agent().toString(), check(out, d, "loads"), check(out, d, "same module names"), check(out, d, ProofCheck.AGENT_TESTS),
                    milliseconds(d.loadTime().get("before_cpu_median_ms")), milliseconds(d.loadTime().get("after_cpu_median_ms")),
                    d.loadTime().containsKey("pairs") ? d.loadTime().get("wins") + " of " + d.loadTime().get("pairs") : "-");
        }
        out.table(dependents);
        if (proof.loadTime() != null) {
            out.println("%s: %s".formatted(outcome(out, proof.loadTime().outcome()), proof.loadTime().detail()));
        }
        out.println(deployable ? out.style("deployable", "32") + (dryRun ? " (dry run: nothing was changed)" : "")
                : out.style("not deployable", "31") + ": " + proof.firstFailure().orElse("no check passed"));
    }

    private static String milliseconds(Object value) {
        return value instanceof Number n ? "%.1f".formatted(n.doubleValue()) : "-";
    }

    private static String check(Output out, DependentsProof.DependentResult dependent, String name) {
        return dependent.checks().stream().filter(c -> c.name().equals(name)).findFirst().map(c -> outcome(out, c.outcome())).orElse("-");
    }

    private static String outcome(Output out, ProofCheck.Outcome outcome) {
        return switch (outcome) {
            case PASSED -> out.style("passed", "32");
            case FAILED -> out.style("FAILED", "31");
            case SKIPPED -> "skipped";
        };
    }

    /**
     * {@code optimize MODULE --json}: the module, every file of the change with its diff, and the proof per dependent.
     * {@code proof} is null when the change changes nothing.
     */
    record ModuleJson(String module, String file, String python, String pythonVersion, String pattern, Map<String, OptimizeCommands.OptimizeJson.PatternJson> patterns,
                      boolean changes, List<FileJson> files, List<String> notes, List<String> deferred, List<String> removed, String helperModule,
                      List<String> dependents, ProofJson proof, boolean applied,
                      @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<OptimizeCommands.OptimizeJson.DeploymentJson> deployment) {

        static ModuleJson of(SharedModuleOptimization result, DeploymentResult deployment) {
            Map<String, OptimizeCommands.OptimizeJson.PatternJson> patterns = new LinkedHashMap<>();
            result.applicability().forEach((id, a) -> patterns.put(id, new OptimizeCommands.OptimizeJson.PatternJson(a.applies(), a.reasons())));
            List<FileJson> files = result.change().files().stream().map(f -> new FileJson(f.file().toString(), f.createsFile(), f.changes(),
                    f.unifiedDiff(), java.util.Base64.getEncoder().encodeToString(f.unifiedDiffBytes()), f.notes())).toList();
            DependentsProof.Result proof = result.proof();
            return new ModuleJson(result.module(), result.file().toString(), result.python(), result.pythonVersion(), result.change().pattern(),
                    patterns, result.change().changes(), files, result.change().notes(), result.deferredNames(), result.removedNames(),
                    result.helperModule(), result.dependents().stream().map(a -> a.id().toString()).toList(),
                    proof == null ? null : new ProofJson(result.deployable(), proof.firstFailure().orElse(null), checks(proof.module()),
                            proof.dependents().stream().map(d -> new DependentJson(d.agent().toString(), d.passed(), checks(d.checks()),
                                    d.loadTime())).toList(), proof.loadTime() == null ? null : checks(List.of(proof.loadTime())).getFirst()),
                    deployment != null && deployment.ok(), Optional.ofNullable(deployment).map(OptimizeCommands.OptimizeJson.DeploymentJson::of));
        }

        static List<OptimizeCommands.OptimizeJson.CheckJson> checks(List<ProofCheck> checks) {
            return checks.stream().map(c -> new OptimizeCommands.OptimizeJson.CheckJson(c.name(), c.outcome().name().toLowerCase(), c.detail(),
                    c.evidence())).toList();
        }

        record FileJson(String file, boolean creates, boolean changes, String diff, String diffBase64, List<String> notes) {
        }

        record ProofJson(boolean deployable, String firstFailure, List<OptimizeCommands.OptimizeJson.CheckJson> module,
                         List<DependentJson> dependents, OptimizeCommands.OptimizeJson.CheckJson loadTime) {
        }

        record DependentJson(String agent, boolean passed, List<OptimizeCommands.OptimizeJson.CheckJson> checks, Map<String, Object> loadTime) {
        }
    }

    /**
     * {@code optimize --modules --json}: the joint change (every file with its diff), each module with what it defers and
     * removes and its dependents, the modules left out and why, and the one proof with its evidence per dependent.
     * {@code proof} is null when nothing changes.
     */
    record JointJson(List<String> modules, Map<String, String> leftOut, String python, String pythonVersion, String pattern,
                     boolean changes, List<ModuleJson.FileJson> files, List<String> notes, String helperModule, List<PartJson> perModule,
                     List<String> dependents, ModuleJson.ProofJson proof, boolean applied,
                     @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<OptimizeCommands.OptimizeJson.DeploymentJson> deployment) {

        static JointJson of(JointModuleOptimization result, DeploymentResult deployment) {
            boolean changes = result.change() != null && result.change().changes();
            List<ModuleJson.FileJson> files = !changes ? List.of() : result.change().files().stream().map(f -> new ModuleJson.FileJson(
                    f.file().toString(), f.createsFile(), f.changes(), f.unifiedDiff(),
                    java.util.Base64.getEncoder().encodeToString(f.unifiedDiffBytes()), f.notes())).toList();
            DependentsProof.Result proof = result.proof();
            Map<String, DependentsProof.DependentResult> byAgent = new LinkedHashMap<>();
            if (proof != null) {
                proof.dependents().forEach(d -> byAgent.put(d.agent().toString(), d));
            }
            List<PartJson> parts = result.modules().stream().map(p -> {
                Map<String, OptimizeCommands.OptimizeJson.PatternJson> patterns = new LinkedHashMap<>();
                p.applicability().forEach((id, a) -> patterns.put(id, new OptimizeCommands.OptimizeJson.PatternJson(a.applies(), a.reasons())));
                Map<String, Object> evidence = new LinkedHashMap<>();
                p.dependents().forEach(a -> {
                    DependentsProof.DependentResult d = byAgent.get(a.toString());
                    if (d != null) {
                        Map<String, Object> one = new LinkedHashMap<>();
                        one.put("passed", d.passed());
                        one.put("before_cpu_median_ms", d.loadTime().get("before_cpu_median_ms"));
                        one.put("after_cpu_median_ms", d.loadTime().get("after_cpu_median_ms"));
                        evidence.put(a.toString(), one);
                    }
                });
                return new PartJson(p.module(), p.file().toString(), patterns, p.deferredNames(), p.removedNames(),
                        p.dependents().stream().map(Object::toString).toList(), evidence);
            }).toList();
            return new JointJson(result.modules().stream().map(JointModuleOptimization.Part::module).toList(), result.left(), result.python(),
                    result.pythonVersion(), changes ? result.change().pattern() : null, changes, files,
                    changes ? result.change().notes() : List.of(), result.helperModule(), parts,
                    result.dependents().stream().map(a -> a.id().toString()).toList(),
                    proof == null ? null : new ModuleJson.ProofJson(result.deployable(), proof.firstFailure().orElse(null),
                            ModuleJson.checks(proof.module()), proof.dependents().stream().map(d -> new ModuleJson.DependentJson(d.agent().toString(),
                            d.passed(), ModuleJson.checks(d.checks()), d.loadTime())).toList(),
                            proof.loadTime() == null ? null : ModuleJson.checks(List.of(proof.loadTime())).getFirst()),
                    deployment != null && deployment.ok(), Optional.ofNullable(deployment).map(OptimizeCommands.OptimizeJson.DeploymentJson::of));
        }

        /** One module of the joint change: its patterns' verdicts, what it defers and removes, its dependents' evidence. */
        record PartJson(String module, String file, Map<String, OptimizeCommands.OptimizeJson.PatternJson> patterns, List<String> deferred,
                        List<String> removed, List<String> dependents, Map<String, Object> dependentsEvidence) {
        }
    }
}
