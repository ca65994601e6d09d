package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.rollout.BatchSpec;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.FleetLock;
import io.fleetshell.engine.rollout.ModuleChange;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.PlanStep;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.python.shared.JointModuleOptimization;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.engine.stats.MannWhitney;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Host;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * {@code batch deploy}: the engine's planner resolves the rollout into a plan, which this command shows, asks
 * about and hands to the rollout executor; {@link DeploymentCommands} watches and steers deployments.
 */
@Component
public class DeployCommands {

    static final String GROUP = "Rollout";
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final ShellSession session;
    private final Rollouts rollouts;
    private final Measurements measurements;
    private final OptimizeModule modules;

    public DeployCommands(ShellSession session, Rollouts rollouts, Measurements measurements, OptimizeModule modules) {
        this.session = session;
        this.rollouts = rollouts;
        this.measurements = measurements;
        this.modules = modules;
    }

    @Journaled
    @Command(name = {"batch", "deploy"}, group = GROUP,
            help = "batch deploy [--agents A,B | --top N] [--modules M,N] [--batch-size N] [--interval D] [--dry-run] [--yes] [OPTIONS]",
            description = "Roll the patterns out to agents in batches. First resolves the whole plan (each agent's rewrite and the "
                    + "checksum of the file it expects), prints it with the batches, predicted gains and duration, and asks "
                    + "(unless --yes). Then per agent: back up the original in history, write atomically, prove (compiles, no new "
                    + "undefined name, loads, same names, faster load, its test_command), restart it if it runs and has a restart "
                    + "method, gate on its health, record. A failed proof or gate restores the original at once. Between "
                    + "batches: the batch gate (--max-fail), then --interval. Without --agents or --top, every agent score "
                    + "finds optimizable, best first. --modules changes shared modules first, as ONE step of all their files and one "
                    + "helper module, proved once over every agent that imports any of them (as optimize --modules does), then the "
                    + "agents, each proved once written on the fleet with the module step applied; with --modules alone, only the modules.")
    public void deploy(@Option(longName = "pattern", description = "only this pattern: lazy_loading or dependency_reduction (Python agents); "
                                 + "java_unused_imports, java_lazy_holder or java_memoize_field (Java agents)") String pattern,
                       @Option(longName = "agents", description = "these agents, comma-separated, in this order") String agentNames,
                       @Option(longName = "top", description = "the N best candidates by score") Integer top,
                       @Option(longName = "modules", description = "shared modules to change first, comma-separated (dotted names or paths; score --modules ranks them)") String moduleNames,
                       @Option(longName = "helper-package", description = "with --modules: the package that holds the lazy helper; default: beside each module") String helperPackage,
                       @Option(longName = "batch-size", defaultValue = "5", description = "agents per batch: N, N% or a list such as 1,5,20%") String batchSize,
                       @Option(longName = "interval", defaultValue = "30s", description = "wait between batches, e.g. 5s, 2m") String interval,
                       @Option(longName = "max-fail", defaultValue = "0", description = "percent of a batch that may fail before the batch gate stops the rollout") String maxFail,
                       @Option(longName = "on-fail", defaultValue = "rollback-batch", description = "when the batch gate fails: rollback-batch, rollback-all or pause") String onFail,
                       @Option(longName = "runs", defaultValue = "11", description = "fresh-process loads of each version for the load-time proof") Integer runs,
                       @Option(longName = "diff", description = "print each agent's unified diff with the plan") boolean diff,
                       @Option(longName = "dry-run", description = "resolve and print the plan; change nothing") boolean dryRun,
                       @Option(longName = "yes", description = "do not ask for confirmation") boolean yes,
                       @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        Duration wait = RolloutOptions.parseDuration(interval);
        if (wait.compareTo(Duration.ofDays(1)) > 0) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--interval %s is out of range: give 0 to 1d".formatted(interval));
        }
        RolloutOptions options = new RolloutOptions(BatchSpec.parse(batchSize), wait,
                RolloutOptions.parsePercent(maxFail), OnFail.parse(onFail));
        int fewest = MannWhitney.minimumPerSide(OptimizeCommands.ALPHA);
        if (runs < fewest || runs > 100) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--runs must be between %d and 100".formatted(fewest));
        }
        if (agentNames != null && top != null) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "give --agents or --top, not both");
        }
        if (top != null && top < 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--top must be 1 or more");
        }
        Planner planner = rollouts.planner();
        planner.requireKnown(pattern);
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        Output out = session.output();
        rollouts.store().lockHolder().filter(h -> !h.isSelf()).ifPresent(h -> {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, FleetLock.explained(h, Host.name()) + " Nothing was changed.");
        });
        if (helperPackage != null && moduleNames == null) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--helper-package is for shared modules: give --modules too, or leave it out");
        }
        List<String> moduleList = moduleNames == null ? List.of()
                : java.util.Arrays.stream(moduleNames.split(",")).map(String::strip).filter(m -> !m.isEmpty()).distinct().toList();
        if (moduleNames != null && moduleList.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--modules names no module (score --modules lists them)");
        }
        List<ModuleChange> moduleChanges = new java.util.ArrayList<>();
        List<Plan.Skipped> moduleSkipped = new java.util.ArrayList<>();
        if (!moduleList.isEmpty()) {
            // The modules change as ONE step proved once over all their dependents: a heavy import deferred in one module
            // gains nothing while a sibling still imports it, so proved one by one each would be refused (B1 shared).
            // The agent steps are not proved jointly with it: each is planned after it and proved once written, on the fleet
            // as it then is, with the module step applied, so an agent's own deferral of numpy is judged where the shared
            // modules no longer load numpy; a module step that fails is restored first and the agent is judged without it.
            JointModuleOptimization proved = modules.proveJoint(inventory, moduleList, pattern, helperPackage, runs);
            String machine = proved.dependents().isEmpty() ? inventory.machines().getFirst().name() : proved.dependents().getFirst().machine();
            proved.left().forEach((module, why) -> moduleSkipped.add(new Plan.Skipped(new AgentId(machine, module), why, List.of())));
            if (proved.deployable()) {
                moduleChanges.add(OptimizeModule.changeOf(proved));
            } else if (proved.change() != null && proved.change().changes()) {
                moduleSkipped.add(new Plan.Skipped(new AgentId(machine, proved.name()), "not deployable: "
                        + proved.proof().firstFailure().orElse("no check passed"), List.of()));
            }
        }
        List<Agent> selected;
        List<AgentScore> scored;
        if (moduleNames != null && agentNames == null && top == null) {
            selected = List.of();
            scored = List.of();
        } else if (agentNames != null) {
            selected = java.util.Arrays.stream(agentNames.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                    .map(n -> AgentLookup.agent(inventory, n)).distinct().toList();
            if (selected.isEmpty()) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "--agents names no agent");
            }
            scored = measurements.scores(inventory, selected);
        } else {
            out.info("Ranking the fleet by score...");
            scored = Planner.candidates(measurements.scores(inventory, inventory.agents()), top);
            selected = scored.stream().map(s -> Rollouts.lookup(inventory).apply(s.agent())).toList();
        }
        if (!selected.isEmpty()) {
            out.info("Resolving the plan: rewriting %d agent%s with %s...".formatted(selected.size(), selected.size() == 1 ? "" : "s",
                    pattern == null ? "its language's patterns" : pattern));
        }
        Plan plan = planner.plan(inventory, moduleChanges, moduleSkipped, selected, pattern, Planner.gains(scored), options);
        session.journal().agents(plan.steps().stream().map(PlanStep::agent).toList());
        if (json && (dryRun || plan.steps().isEmpty())) {
            out.json(RolloutView.PlanJson.of(plan));
        } else if (!json) {
            RolloutView.printPlan(out, plan, diff);
        }
        if (plan.steps().isEmpty()) {
            session.journal().summary("nothing to deploy");
            out.info("Nothing to deploy: no selected agent or module has a change (reasons above). Nothing was changed.");
            return;
        }
        if (dryRun) {
            session.journal().summary("dry run: %d steps in %d batches".formatted(plan.steps().size(), plan.batchCount()));
            out.info("Dry run: nothing was changed, nothing was stored. Run it without --dry-run to deploy.");
            return;
        }
        if (!yes) {
            Optional<String> answer = session.ask("Deploy %d %s%s in %d batch%s? [y/N] ".formatted(plan.steps().size(),
                    moduleChanges.isEmpty() ? "agent" : "step", plan.steps().size() == 1 ? "" : "s", plan.batchCount(),
                    plan.batchCount() == 1 ? "" : "es"));
            if (answer.isEmpty()) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "batch deploy changes files: confirm with --yes (the shell asks "
                        + "instead). Nothing was changed.");
            }
            if (!answer.get().strip().equalsIgnoreCase("y") && !answer.get().strip().equalsIgnoreCase("yes")) {
                session.journal().summary("not confirmed");
                out.info("Not deployed. Nothing was changed.");
                return;
            }
        }
        RolloutExecutor executor = rollouts.executor(inventory, runs);
        long id = executor.persist(plan);
        out.info("Deployment %d: %d step%s in %d batch%s. deploy status %d shows it; deploy pause|abort %d steers it from another shell."
                .formatted(id, plan.steps().size(), plan.steps().size() == 1 ? "" : "s", plan.batchCount(), plan.batchCount() == 1 ? "" : "es",
                        id, id, id));
        InterruptibleRollout rollout = new InterruptibleRollout(new RolloutProgress(out, id), session.interrupts(), id);
        DeploymentResult result = rollout.run(rollouts, inventory, () -> executor.execute(id, rollout));
        RolloutView.report(session, result, json);
    }
}
