package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.Progress;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.graph.FleetModule;
import io.fleetshell.engine.python.graph.ImportGraph;
import io.fleetshell.engine.python.pattern.DeferHeavyImports;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.engine.python.pattern.RemoveUnusedImports;
import io.fleetshell.engine.python.shared.DependentsProof;
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
        for (Rewrite file : result.change().changed()) {
            out.println("");
            out.println("%s %s".formatted(file.createsFile() ? "creates" : "changes", file.file()));
            for (String line : file.unifiedDiff().split("\n")) {
                out.println(line.startsWith("+") && !line.startsWith("+++") ? out.style(line, "32")
                        : line.startsWith("-") && !line.startsWith("---") ? out.style(line, "31") : line);
            }
        }
        out.println("notes:");
        result.change().notes().forEach(n -> out.println("  " + n));
        result.change().files().forEach(f -> f.notes().forEach(n -> out.println("  " + n)));
        out.println("");
        DependentsProof.Result proof = result.proof();
        TextTable checks = new TextTable("CHECK", "RESULT", "DETAIL").note("DETAIL");
        proof.module().forEach(c -> checks.row("module: " + c.name(), outcome(out, c.outcome()), c.detail()));
        out.table(checks);
        TextTable dependents = new TextTable("DEPENDENT", "LOADS", "NAMES", "TESTS", "CPU MS BEFORE", "CPU MS AFTER", "FASTER PAIRS")
                .optional("TESTS");
        for (DependentsProof.DependentResult d : proof.dependents()) {
            dependents.row(d.agent().toString(), check(out, d, "loads"), check(out, d, "same module names"), check(out, d, ProofCheck.AGENT_TESTS),
                    String.valueOf(d.loadTime().getOrDefault("before_cpu_median_ms", "-")),
                    String.valueOf(d.loadTime().getOrDefault("after_cpu_median_ms", "-")),
                    d.loadTime().containsKey("pairs") ? d.loadTime().get("wins") + " of " + d.loadTime().get("pairs") : "-");
        }
        out.table(dependents);
        if (proof.loadTime() != null) {
            out.println("%s: %s".formatted(outcome(out, proof.loadTime().outcome()), proof.loadTime().detail()));
        }
        out.println(result.deployable() ? out.style("deployable", "32") + (dryRun ? " (dry run: nothing was changed)" : "")
                : out.style("not deployable", "31") + ": " + proof.firstFailure().orElse("no check passed"));
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

        private static List<OptimizeCommands.OptimizeJson.CheckJson> checks(List<ProofCheck> checks) {
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
}
