package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.Progress;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.optimize.Optimization;
import io.fleetshell.engine.optimize.Optimizers;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.stats.MannWhitney;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.List;
import java.util.Map;

/** {@code optimize}: rewrite one agent with the patterns, prove the rewrite, and show (or apply) it. */
@Component
public class OptimizeCommands {

    static final String GROUP = "Optimize";
    /** False-positive rate of the load-time test. */
    static final double ALPHA = 0.05;

    private final ShellSession session;
    private final Rollouts rollouts;
    private final OptimizeModule modules;

    public OptimizeCommands(ShellSession session, Rollouts rollouts, OptimizeModule modules) {
        this.session = session;
        this.rollouts = rollouts;
        this.modules = modules;
    }

    @Journaled
    @Command(name = "optimize", group = GROUP, help = "optimize AGENT|MODULE|M1,M2,... [--modules M1,M2 | --all-shared] [--pattern P] [--dry-run] [--runs N] [--helper-package PKG] [--json]",
            completionProvider = "agentOrModuleCompletion",
            description = "Rewrite one agent's imports, prove the rewrite, and apply it (--dry-run: only show it). Patterns: "
                    + "dependency_reduction, then lazy_loading (or --pattern P). Applying is a one-agent deployment: backup in "
                    + "history, atomic write, proof on disk, health gate, byte-exact rollback on failure. The proof runs "
                    + "under the agent's own interpreter: it compiles, adds no undefined name, loads (an agent whose "
                    + "original does not load cannot be proved), keeps the module's names and the loaded state (sys.modules, "
                    + "the fleet's own modules), loads faster beyond noise and by at least 3 % and 2 ms (sequential paired "
                    + "sign test on CPU time, N pairs first, up to 4N), and passes the agent's test_command. The proof "
                    + "executes the agent's module-level code (not its __main__ block) in fresh processes, several times, "
                    + "also with --dry-run. Shows the unified diff, what stayed eager and why, what behaviour "
                    + "still changes, and the measured load time before and after with each deferred module's first-use cost. "
                    + "A Java agent gets java_unused_imports, java_lazy_holder and java_memoize_field, and a proof that it "
                    + "compiles (javax.tools), passes test_command, starts, and is not slower from JVM start to healthy. "
                    + "MODULE (a dotted name or a path under the fleet root of a module the agents import, e.g. common.base_agent) "
                    + "gets dependency_reduction and lazy_loading told what its importers read through it, with the loader in one "
                    + "helper module (_fleetshell_lazy.py, beside the module or in --helper-package) instead of inlined, and is "
                    + "proved on the module and on every agent that imports it: each loads (or fails) exactly as before, keeps its "
                    + "names and its own modules' values, passes its test_command, and the load time drops over them all "
                    + "(stratified sign test over per-agent pairs); --dry-run shows the diff of every file and the proof per agent. "
                    + "Several modules (M1,M2 or --modules M1,M2; --all-shared: every module score --modules finds with a deferrable "
                    + "import) are changed as ONE change with one helper module, proved once over every agent that imports any of "
                    + "them, and deployed as one step: deferring a heavy import in one module gains nothing while a sibling module "
                    + "still imports it. A module whose rewrite changes nothing is left out, with why.")
    public void optimize(@Argument(index = 0) String name,
                         @Option(longName = "pattern", description = "only this pattern: lazy_loading or dependency_reduction; for a Java agent java_unused_imports, "
                                 + "java_lazy_holder or java_memoize_field") String pattern,
                         @Option(longName = "dry-run", description = "show the rewrite and its proof; change nothing") boolean dryRun,
                         @Option(longName = "runs", defaultValue = "11", description = "pairs of fresh-process loads at the load-time test's planned look (an early look at 0.6x may decide sooner; up to 4x as many while it cannot decide); for a MODULE, 2xN pairs in all over its dependents (at least 2 each)") Integer runs,
                         @Option(longName = "modules", description = "several shared modules as one change, comma-separated (dotted names or paths; score --modules ranks them)") String moduleNames,
                         @Option(longName = "all-shared", description = "every shared module score --modules finds with a deferrable import, as one change") boolean allShared,
                         @Option(longName = "helper-package", description = "MODULE only: the package (dotted, under the module's import root) that holds the lazy helper; default: beside the module") String helperPackage,
                         @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (moduleNames != null || allShared || (name != null && name.contains(","))) {
            if ((moduleNames != null ? 1 : 0) + (allShared ? 1 : 0) + (name != null && !name.isBlank() ? 1 : 0) > 1) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "give the modules once: optimize M1,M2, optimize --modules M1,M2 or optimize --all-shared");
            }
            int fewest = MannWhitney.minimumPerSide(ALPHA);
            if (runs < fewest || runs > 100) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "--runs must be between %d and 100 (with fewer a rank test at p < %.2f cannot decide)"
                        .formatted(fewest, ALPHA));
            }
            List<String> names = null;
            if (!allShared) {
                names = java.util.Arrays.stream((moduleNames != null ? moduleNames : name).split(",")).map(String::strip)
                        .filter(m -> !m.isEmpty()).distinct().toList();
                if (names.isEmpty()) {
                    throw new FleetshellException(ErrorCode.BAD_INPUT, "--modules names no module (score --modules lists them)");
                }
            }
            modules.optimizeJoint(AgentLookup.nonEmpty(session.inventoryStore().inventory()), names, pattern, helperPackage, dryRun, runs, json);
            return;
        }
        if (name == null || name.isBlank()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name one agent or module: optimize AGENT|MODULE [--pattern P] [--dry-run]");
        }
        int fewest = MannWhitney.minimumPerSide(ALPHA);
        if (runs < fewest || runs > 100) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--runs must be between %d and 100 (with fewer a rank test at p < %.2f cannot decide)"
                    .formatted(fewest, ALPHA));
        }
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        if (ScoreCommands.namesModule(inventory, name)) {
            modules.optimize(inventory, name, pattern, helperPackage, dryRun, runs, json);
            return;
        }
        if (helperPackage != null) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, ("--helper-package is for a shared module (optimize MODULE): an agent's own file "
                    + "keeps the loader inlined; leave it out for %s").formatted(name));
        }
        Agent agent = AgentLookup.agent(inventory, name);
        Optimizers optimizers = rollouts.optimizers(runs);
        String plan = optimizers.describe(inventory, agent, pattern, runs);
        session.journal().agents(List.of(agent.id()));
        Output out = session.output();
        out.info("Optimizing %s...".formatted(plan));
        Progress.update(agent.id(), "analyzing and rewriting"); // the proof's own reports take over under the same name
        Optimization result = optimizers.optimize(inventory, agent, pattern);
        DeploymentResult deployment = null;
        if (!dryRun && result.deployable()) {
            deployment = deploy(inventory, result, out, json);
        }
        session.journal().summary(summary(result, dryRun, deployment));
        if (json) {
            out.json(OptimizeJson.of(result, deployment));
        } else {
            print(out, result, optimizers.runtimeLabel(result), dryRun);
            if (deployment != null) {
                StoredStep step = deployment.steps().getFirst();
                out.println("deployment %d: %s, step %s %s%s".formatted(deployment.deploymentId(), deployment.state().words(),
                        step.label(), step.state().text(), step.detail() == null ? "" : " (" + step.detail() + ")"));
            }
        }
        if (result.rewrite().changes() && !result.deployable()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "%s: the rewrite is not deployable: %s. Nothing was changed.".formatted(
                    agent.id(), result.proof().firstFailure().map(ProofCheck::detail).orElse("no check passed")));
        }
        if (deployment != null && !deployment.ok()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "deployment %d of %s ended %s".formatted(
                    deployment.deploymentId(), agent.id(), deployment.state().with(deployment.summary())));
        }
    }

    /**
     * A one-agent deployment through the rollout: the plan of this one optimization (the file must still have
     * the bytes the rewrite was made from), backed up in history-db, written atomically, proved on disk
     * (compiles, test_command), restarted and health-gated when the agent runs, restored byte-exact when a
     * check or the gate fails. The patterns' proof already ran, so only the written file's checks run again.
     */
    private DeploymentResult deploy(Inventory inventory, Optimization result, Output out, boolean json) {
        if (!json) {
            out.info("Applying to %s as a one-agent deployment (backup, atomic write, proof on disk, restart and health gate if it runs)..."
                    .formatted(result.agent().script().path()));
        }
        InterruptibleRollout rollout = new InterruptibleRollout(RolloutListener.SILENT, session.interrupts(), null);
        return rollout.run(rollouts, inventory, () -> rollouts.writtenFileExecutor(inventory).run(Planner.of(result), rollout));
    }

    private static String summary(Optimization result, boolean dryRun, DeploymentResult deployment) {
        if (!result.rewrite().changes()) {
            return "optimize %s: nothing to change".formatted(result.agent().id());
        }
        if (deployment != null) {
            return "optimize %s (%s): deployment %d %s".formatted(result.agent().id(), result.rewrite().pattern(),
                    deployment.deploymentId(), deployment.state().words());
        }
        return "optimize %s (%s%s): %s".formatted(result.agent().id(), result.rewrite().pattern(), dryRun ? ", dry run" : "",
                result.deployable() ? "deployable" : "not deployable, nothing changed");
    }

    private static void print(Output out, Optimization result, String runtime, boolean dryRun) {
        Agent agent = result.agent();
        out.println("%s: %s (%s, %s)".formatted(agent.id(), agent.script().path(), runtime, result.python()));
        if (!result.rewrite().changes()) {
            out.println("nothing to change:");
            result.applicability().forEach((id, a) -> a.reasons().forEach(r -> out.println("  %s: %s".formatted(id, r))));
            return;
        }
        out.println("");
        for (String line : result.rewrite().unifiedDiff().split("\n")) {
            out.println(line.startsWith("+") && !line.startsWith("+++") ? out.style(line, "32")
                    : line.startsWith("-") && !line.startsWith("---") ? out.style(line, "31") : line);
        }
        out.println("notes:");
        result.rewrite().notes().forEach(out::item);
        out.println("");
        Proof proof = result.proof();
        TextTable table = new TextTable("CHECK", "RESULT", "DETAIL").note("DETAIL");
        proof.checks().forEach(c -> table.row(c.name(), outcome(out, c.outcome()), c.detail()));
        out.table(table);
        proof.checks().stream().filter(c -> c.evidence().containsKey("first_use_ms")).findFirst()
                .ifPresent(c -> out.println("first use after load (ms, one run): " + c.evidence().get("first_use_ms")));
        out.println(result.deployable() ? out.style("deployable", "32") + (dryRun ? " (dry run: nothing was changed)" : "")
                : out.style("not deployable", "31") + ": " + proof.firstFailure().map(ProofCheck::detail).orElse("no check passed"));
    }

    private static String outcome(Output out, ProofCheck.Outcome outcome) {
        return switch (outcome) {
            case PASSED -> out.style("passed", "32");
            case FAILED -> out.style("FAILED", "31");
            case SKIPPED -> "skipped";
        };
    }

    /**
     * The JSON other tools read (benchfleet applies {@code diff} with patch): stable keys, in this order. {@code diff_base64}
     * holds the diff's exact bytes, for a file that is not UTF-8 (Latin-1) or whose bytes the text must not touch.
     * {@code proof} is null when the rewrite changes nothing; {@code deployment} is absent unless it was applied.
     */
    record OptimizeJson(String agent, String file, String python, String pythonVersion, String pattern,
                        Map<String, PatternJson> patterns, boolean changes, String diff, String diffBase64, List<String> notes,
                        List<String> deferred,
                        ProofJson proof, boolean applied,
                        @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<DeploymentJson> deployment) {

        static OptimizeJson of(Optimization result, DeploymentResult deployment) {
            Map<String, PatternJson> patterns = new LinkedHashMap<>();
            result.applicability().forEach((id, a) -> patterns.put(id, new PatternJson(a.applies(), a.reasons())));
            return new OptimizeJson(result.agent().id().toString(), result.agent().script().path().toString(), result.python(),
                    result.pythonVersion(), result.rewrite().pattern(), patterns, result.rewrite().changes(), result.rewrite().unifiedDiff(),
                    java.util.Base64.getEncoder().encodeToString(result.rewrite().unifiedDiffBytes()), result.rewrite().notes(), result.deferredNames(), result.proof() == null ? null : new ProofJson(result.deployable(),
                    result.proof().checks().stream().map(c -> new CheckJson(c.name(), c.outcome().name().toLowerCase(), c.detail(),
                            c.evidence())).toList()), deployment != null && deployment.ok(),
                    Optional.ofNullable(deployment).map(DeploymentJson::of));
        }

        record PatternJson(boolean applies, List<String> reasons) {
        }

        record ProofJson(boolean deployable, List<CheckJson> checks) {
        }

        record CheckJson(String name, String outcome, String detail, Map<String, Object> evidence) {
        }

        record DeploymentJson(long id, String state, String summary, String step, String stepState, String stepDetail) {

            static DeploymentJson of(DeploymentResult d) {
                StoredStep step = d.steps().getFirst();
                return new DeploymentJson(d.deploymentId(), d.state().text(), d.summary(), step.label(), step.state().text(), step.detail());
            }
        }
    }
}
