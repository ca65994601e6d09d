package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.rollout.BatchSpec;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.FleetLock;
import io.fleetshell.engine.rollout.LockHolder;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.PlanStep;
import io.fleetshell.engine.rollout.Recovery;
import io.fleetshell.engine.rollout.Restorer;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.engine.stats.MannWhitney;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Host;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.JsonObject;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code batch deploy} resolves a rollout into a plan, shows it, asks, and executes it batch by batch;
 * {@code deploy status|pause|resume|abort|recover|unlock} watch and steer deployments, also from a second shell.
 */
@Component
public class DeployCommands {

    static final String GROUP = "Rollout";
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final ShellSession session;
    private final Rollouts rollouts;
    private final Measurements measurements;

    public DeployCommands(ShellSession session, Rollouts rollouts, Measurements measurements) {
        this.session = session;
        this.rollouts = rollouts;
        this.measurements = measurements;
    }

    @Journaled
    @Command(name = {"batch", "deploy"}, group = GROUP,
            help = "batch deploy [--agents A,B | --top N] [--batch-size N] [--interval D] [--dry-run] [--yes] [OPTIONS]",
            description = "Roll the patterns out to agents in batches. First resolves the whole plan (each agent's rewrite and the "
                    + "checksum of the file it expects), prints it with the batches, predicted gains and duration, and asks "
                    + "(unless --yes). Then per agent: back up the original in history, write atomically, prove (compiles, no new "
                    + "undefined name, loads, same names, faster load, its test_command), restart it if it runs and has a restart "
                    + "method, gate on its health, record. A failed proof or gate restores the original at once. Between "
                    + "batches: the batch gate (--max-fail), then --interval. Without --agents or --top, every agent score "
                    + "finds optimizable, best first.")
    public void deploy(@Option(longName = "pattern", description = "only this pattern: lazy_loading or dependency_reduction (Python agents); "
                                 + "java_unused_imports, java_lazy_holder or java_memoize_field (Java agents)") String pattern,
                       @Option(longName = "agents", description = "these agents, comma-separated, in this order") String agentNames,
                       @Option(longName = "top", description = "the N best candidates by score") Integer top,
                       @Option(longName = "batch-size", defaultValue = "5", description = "agents per batch: N, N% or a list such as 1,5,20%") String batchSize,
                       @Option(longName = "interval", defaultValue = "30s", description = "wait between batches, e.g. 5s, 2m") String interval,
                       @Option(longName = "max-fail", defaultValue = "0", description = "percent of a batch that may fail before the batch gate stops the rollout") String maxFail,
                       @Option(longName = "on-fail", defaultValue = "rollback-batch", description = "when the batch gate fails: rollback-batch, rollback-all or pause") String onFail,
                       @Option(longName = "runs", defaultValue = "11", description = "fresh-process loads of each version for the load-time proof") Integer runs,
                       @Option(longName = "diff", description = "print each agent's unified diff with the plan") boolean diff,
                       @Option(longName = "dry-run", description = "resolve and print the plan; change nothing") boolean dryRun,
                       @Option(longName = "yes", description = "do not ask for confirmation") boolean yes,
                       @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        RolloutOptions options = new RolloutOptions(BatchSpec.parse(batchSize), RolloutOptions.parseDuration(interval),
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
        List<Agent> selected;
        List<AgentScore> scored;
        if (agentNames != null) {
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
        out.info("Resolving the plan: rewriting %d agent%s with %s...".formatted(selected.size(), selected.size() == 1 ? "" : "s",
                pattern == null ? "its language's patterns" : pattern));
        Plan plan = planner.plan(inventory, selected, pattern, Planner.gains(scored), options);
        session.journal().agents(plan.steps().stream().map(PlanStep::agent).toList());
        if (json && (dryRun || plan.steps().isEmpty())) {
            out.json(planJson(plan));
        } else if (!json) {
            printPlan(out, plan, diff);
        }
        if (plan.steps().isEmpty()) {
            session.journal().summary("nothing to deploy");
            out.info("Nothing to deploy: no selected agent has a change (reasons above). Nothing was changed.");
            return;
        }
        if (dryRun) {
            session.journal().summary("dry run: %d steps in %d batches".formatted(plan.steps().size(), plan.batchCount()));
            out.info("Dry run: nothing was changed, nothing was stored. Run it without --dry-run to deploy.");
            return;
        }
        if (!yes) {
            Optional<String> answer = session.ask("Deploy %d agent%s in %d batch%s? [y/N] ".formatted(plan.steps().size(),
                    plan.steps().size() == 1 ? "" : "s", plan.batchCount(), plan.batchCount() == 1 ? "" : "es"));
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
        out.info("Deployment %d: %d steps in %d batches. deploy status %d shows it; deploy pause|abort %d steers it from another shell."
                .formatted(id, plan.steps().size(), plan.batchCount(), id, id, id));
        DeploymentResult result = executor.execute(id, new RolloutProgress(out, id));
        report(out, result, json);
    }

    /** Prints how a deployment ended (or JSON) and fails the command unless it completed. */
    private void report(Output out, DeploymentResult result, boolean json) {
        session.journal().summary("deployment %d: %s: %s".formatted(result.deploymentId(), result.state(), result.summary()));
        if (json) {
            out.json(resultJson(result));
        } else {
            out.println(stepsTable(out, result.steps()).render());
            out.println("deployment %d %s: %s".formatted(result.deploymentId(), result.state().replace('_', ' '), result.summary()));
        }
        if (!result.ok()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "deployment %d %s: %s. explain %d shows the evidence of every decision."
                    .formatted(result.deploymentId(), result.state().replace('_', ' '), result.summary(), result.deploymentId()));
        }
        out.info("explain %d shows every proof and gate with its evidence; rollback --deployment %d undoes it.".formatted(
                result.deploymentId(), result.deploymentId()));
    }

    @Command(name = {"deploy", "status"}, group = GROUP, help = "deploy status [ID] [--json]", completionProvider = "deploymentCompletion",
            description = "Show deployments: without ID the recent ones and who holds the fleet lock; with ID its batches and every "
                    + "step's state.")
    public void status(@Argument(index = 0) Integer id,
                       @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        DeploymentStore store = rollouts.store();
        Output out = session.output();
        Optional<LockHolder> holder = store.lockHolder();
        if (id == null) {
            List<Deployment> recent = store.deployments(20);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("lock", holder.map(h -> JsonObject.of("deployment", h.deploymentId(), "purpose", h.purpose(), "pid", h.pid(),
                        "host", h.host(), "since", h.acquiredAt().toString(), "alive", !h.deadOn(Host.name()))).orElse(null));
                m.put("deployments", recent.stream().map(d -> deploymentJson(d, store.steps(d.id()))).toList());
                out.json(m);
                return;
            }
            if (recent.isEmpty()) {
                out.info("No deployment yet: batch deploy starts one.");
            } else {
                TextTable table = new TextTable("ID", "STARTED", "PATTERN", "STATE", "APPLIED", "SUMMARY");
                for (Deployment d : recent) {
                    List<StoredStep> steps = store.steps(d.id());
                    table.row(d.id(), WHEN.format(d.createdAt()), d.pattern(), state(out, d), "%d/%d".formatted(
                            steps.stream().filter(s -> s.state().changed()).count(), steps.size()), d.summary() == null ? "" : d.summary());
                }
                out.println(table.render());
            }
            out.info(holder.map(h -> FleetLock.explained(h, Host.name())).orElse("The fleet is not locked."));
            return;
        }
        Deployment d = rollouts.deployment(id);
        List<StoredStep> steps = store.steps(d.id());
        if (json) {
            out.json(deploymentJson(d, steps));
            return;
        }
        out.println("deployment %d: %s, started %s by pid %d on %s; pattern %s; options %s".formatted(d.id(), state(out, d),
                WHEN.format(d.createdAt()), d.pid(), d.host(), d.pattern(), d.options()));
        if (d.control() != null) {
            out.println("requested: " + d.control());
        }
        store.batchStates(d.id()).forEach((b, s) -> out.println("batch %d.%d: %s".formatted(d.id(), b, s)));
        out.println(stepsTable(out, steps).render());
        if (d.summary() != null) {
            out.println(d.summary());
        }
    }

    @Journaled
    @Command(name = {"deploy", "pause"}, group = GROUP, help = "deploy pause [ID]", completionProvider = "deploymentCompletion",
            description = "Ask a running deployment to pause after its current step (it waits for deploy resume or deploy abort).")
    public void pause(@Argument(index = 0) Integer id) {
        Deployment d = running(id, "pause");
        rollouts.store().control(d.id(), "pause");
        session.journal().summary("pause requested for deployment " + d.id());
        session.output().info("Deployment %d pauses after its current step; deploy resume %d goes on, deploy abort %d rolls it back."
                .formatted(d.id(), d.id(), d.id()));
    }

    @Journaled
    @Command(name = {"deploy", "abort"}, group = GROUP, help = "deploy abort [ID]", completionProvider = "deploymentCompletion",
            description = "Abort a deployment and roll back every change it made. A running one stops after its current step and "
                    + "rolls back in its own process; a held or stopped one is rolled back here.")
    public void abort(@Argument(index = 0) Integer id) {
        Deployment d = rollouts.deployment(id);
        DeploymentStore store = rollouts.store();
        Output out = session.output();
        if (d.running()) {
            LockHolder holder = store.lockHolder().orElse(null);
            if (holder != null && holder.deadOn(Host.name())) {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, "deployment %d was interrupted (pid %d is gone): deploy recover settles it first"
                        .formatted(d.id(), holder.pid()));
            }
            store.control(d.id(), "abort");
            session.journal().summary("abort requested for deployment " + d.id());
            out.info("Deployment %d stops after its current step and rolls back every change it made (deploy status %d shows it)."
                    .formatted(d.id(), d.id()));
            return;
        }
        List<StoredStep> changed = store.steps(d.id()).stream().filter(s -> s.state().changed()).toList();
        if (changed.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "deployment %d is %s and has no change left to roll back".formatted(d.id(),
                    d.state().replace('_', ' ')));
        }
        Inventory inventory = session.inventoryStore().inventory();
        RolloutExecutor.RollbackResult result = rollouts.restorer(inventory).rollback(changed, "deploy abort " + d.id(), false);
        store.finish(d.id(), Deployment.ABORTED, "aborted by deploy abort; its changes were rolled back");
        RollbackCommands.printRollback(out, result);
        session.journal().summary("deployment %d aborted and rolled back".formatted(d.id()));
    }

    @Journaled
    @Command(name = {"deploy", "resume"}, group = GROUP, help = "deploy resume [ID] [--runs N]", completionProvider = "deploymentCompletion",
            description = "Resume a paused deployment; or accept a held (or stopped) deployment's applied steps and execute its "
                    + "remaining batches in this shell.")
    public void resume(@Argument(index = 0) Integer id,
                       @Option(longName = "runs", defaultValue = "11", description = "fresh-process loads of each version for the load-time proof") Integer runs) {
        Deployment d = rollouts.deployment(id);
        DeploymentStore store = rollouts.store();
        Output out = session.output();
        if (d.running()) {
            if (!"pause".equals(d.control())) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "deployment %d is running and not paused".formatted(d.id()));
            }
            store.control(d.id(), null);
            session.journal().summary("resume requested for deployment " + d.id());
            out.info("Deployment %d resumes.".formatted(d.id()));
            return;
        }
        Inventory inventory = session.inventoryStore().inventory();
        List<StoredStep> pending = store.steps(d.id()).stream().filter(s -> s.state() == StepState.PENDING).toList();
        RolloutExecutor executor = rollouts.executor(inventory, runs);
        out.info("Resuming deployment %d: %d pending steps.".formatted(d.id(), pending.size()));
        report(out, executor.resume(d.id(), new RolloutProgress(out, d.id())), false);
    }

    @Journaled
    @Command(name = {"deploy", "recover"}, group = GROUP, help = "deploy recover [--json]",
            description = "Bring every agent of an interrupted deployment (its process killed, the machine powered off) to a "
                    + "consistent state: steps the journal shows finished stay as recorded; a step caught mid-way gets its "
                    + "original back, byte-exact; temporary files are removed; the lock is released.")
    public void recover(@Option(longName = "json", description = "print JSON on stdout") boolean json) {
        DeploymentStore store = rollouts.store();
        Recovery recovery = new Recovery(store, Host.name());
        Output out = session.output();
        List<Deployment> interrupted = recovery.interrupted();
        Optional<LockHolder> deadLock = store.lockHolder().filter(h -> h.deadOn(Host.name()));
        if (interrupted.isEmpty() && deadLock.isEmpty()) {
            session.journal().summary("nothing to recover");
            if (json) {
                out.json(Map.of("recovered", List.of()));
            } else {
                out.info("Nothing to recover: no deployment was interrupted.");
            }
            return;
        }
        Inventory inventory = session.inventoryStore().inventory();
        List<Recovery.Result> results = recovery.recoverAll(rollouts.runtime(inventory), Rollouts.lookup(inventory));
        session.journal().summary("recovered " + String.join(", ", results.stream().map(r -> "deployment " + r.deploymentId()).toList()));
        if (json) {
            out.json(Map.of("recovered", results.stream().map(r -> JsonObject.of("deployment", r.deploymentId(), "summary", r.summary(),
                    "restored", r.restored().stream().map(o -> o.step().agent().toString()).toList(),
                    "removed_temp_files", r.removedTempFiles())).toList()));
            return;
        }
        for (Recovery.Result r : results) {
            out.println("deployment %d %s".formatted(r.deploymentId(), r.summary()));
            for (Restorer.Outcome o : r.restored()) {
                out.println("  " + RollbackCommands.outcomeLine(o));
            }
            r.removedTempFiles().forEach(f -> out.println("  removed " + f));
        }
        deadLock.filter(h -> h.deploymentId() == null).ifPresent(h -> out.println("broke the lock left by pid " + h.pid()));
    }

    @Journaled
    @Command(name = {"deploy", "unlock"}, group = GROUP, help = "deploy unlock [--force]",
            description = "Break the fleet lock left by a process that is gone. Prefer deploy recover, which also settles that "
                    + "process's deployment. --force breaks a lock held from another host (which cannot be checked).")
    public void unlock(@Option(longName = "force", description = "break a lock held from another host") boolean force) {
        DeploymentStore store = rollouts.store();
        LockHolder holder = store.lockHolder().orElseThrow(() -> new FleetshellException(ErrorCode.BAD_INPUT, "the fleet is not locked"));
        boolean otherHost = !Host.name().equals(holder.host());
        if (!holder.deadOn(Host.name()) && !(otherHost && force)) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, FleetLock.explained(holder, Host.name())
                    + " The lock was not broken.");
        }
        store.breakLock();
        session.journal().summary("broke the lock of pid %d on %s".formatted(holder.pid(), holder.host()));
        session.output().info("Broke the lock: " + FleetLock.message(holder) + (holder.deploymentId() == null ? "."
                : ". If that deployment was interrupted, deploy recover settles its agents."));
    }

    private Deployment running(Integer id, String verb) {
        Deployment d = rollouts.deployment(id);
        if (!d.running()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "deployment %d is %s; only a running deployment can %s".formatted(d.id(),
                    d.state().replace('_', ' '), verb));
        }
        return d;
    }

    private static String state(Output out, Deployment d) {
        String text = d.state().replace('_', ' ');
        return out.style(text, switch (d.state()) {
            case Deployment.COMPLETED -> "32";
            case Deployment.RUNNING, Deployment.HELD -> "33";
            default -> "31";
        });
    }

    private static void printPlan(Output out, Plan plan, boolean diff) {
        RolloutOptions o = plan.options();
        out.println("Plan: %d agent%s in %d batch%s %s, %s between batches; the batch gate stops when more than %.0f%% of a batch fails, then %s."
                .formatted(plan.steps().size(), plan.steps().size() == 1 ? "" : "s", plan.batchCount(), plan.batchCount() == 1 ? "" : "es",
                        sizes(plan), human(o.interval()), o.maxFailPercent(), o.onFail().text()));
        if (!plan.steps().isEmpty()) {
            TextTable table = new TextTable("BATCH", "AGENT", "PATTERN", "PREDICTED GAIN MS", "EXPECTS SHA256", "FILE");
            for (PlanStep s : plan.steps()) {
                table.row(s.batch(), s.agent(), s.pattern(), s.predictedGainMs() == null ? "-" : "%.1f".formatted(s.predictedGainMs()),
                        s.expectedSha256().substring(0, 12), s.file());
            }
            out.println(table.render());
            long measured = plan.steps().stream().filter(s -> s.predictedGainMs() != null).count();
            out.println(measured == 0 ? "predicted gain: unknown, no agent of the plan is profiled (profile measures them; score then predicts)"
                    : "predicted gain: %.1f ms of module load in total, from score's measurements of %d of %d agents (- means not profiled)"
                    .formatted(plan.predictedGainMs(), measured, plan.steps().size()));
            out.println("duration: at least %s of waits between batches, plus each agent's proof (fresh-process loads and its "
                    .formatted(human(plan.minimumDuration())) + "tests), restart and health gate");
        }
        for (Plan.Skipped s : plan.skipped()) {
            out.println("skipped %s: %s".formatted(s.agent(), s.reason()));
        }
        if (diff) {
            plan.steps().forEach(s -> {
                out.println("");
                for (String line : s.rewrite().unifiedDiff().split("\n")) {
                    out.println(line.startsWith("+") && !line.startsWith("+++") ? out.style(line, "32")
                            : line.startsWith("-") && !line.startsWith("---") ? out.style(line, "31") : line);
                }
            });
        }
    }

    private static String sizes(Plan plan) {
        List<String> sizes = new ArrayList<>();
        for (int b = 1; b <= plan.batchCount(); b++) {
            sizes.add(String.valueOf(plan.batch(b).size()));
        }
        return "(" + String.join(", ", sizes) + ")";
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 != 0 ? ms + " ms" : ms >= 60_000 && ms % 60_000 == 0 ? ms / 60_000 + " min" : ms / 1000 + " s";
    }

    static TextTable stepsTable(Output out, List<StoredStep> steps) {
        TextTable table = new TextTable("STEP", "AGENT", "PATTERN", "STATE", "DETAIL");
        for (StoredStep s : steps) {
            String colour = switch (s.state()) {
                case APPLIED -> "32";
                case HELD, PENDING -> "33";
                default -> "31";
            };
            table.row(s.label(), s.agent(), s.pattern(), out.style(s.state().text(), colour), s.detail() == null ? "" : s.detail());
        }
        return table;
    }

    private static Map<String, Object> planJson(Plan plan) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pattern", plan.pattern());
        m.put("options", plan.options().toMap());
        m.put("batches", plan.batchCount());
        m.put("predicted_gain_ms", plan.predictedGainMs());
        m.put("steps", plan.steps().stream().map(s -> {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("batch", s.batch());
            step.put("agent", s.agent().toString());
            step.put("pattern", s.pattern());
            step.put("file", s.file().toString());
            step.put("expected_sha256", s.expectedSha256());
            step.put("predicted_gain_ms", s.predictedGainMs());
            step.put("diff", s.rewrite().unifiedDiff());
            return step;
        }).toList());
        m.put("skipped", plan.skipped().stream().map(s -> JsonObject.of("agent", s.agent().toString(), "reason", s.reason())).toList());
        return m;
    }

    static Map<String, Object> resultJson(DeploymentResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deployment", r.deploymentId());
        m.put("state", r.state());
        m.put("summary", r.summary());
        m.put("steps", r.steps().stream().map(DeployCommands::stepJson).toList());
        return m;
    }

    private static Map<String, Object> deploymentJson(Deployment d, List<StoredStep> steps) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deployment", d.id());
        m.put("created_at", d.createdAt().toString());
        m.put("finished_at", d.finishedAt() == null ? null : d.finishedAt().toString());
        m.put("pattern", d.pattern());
        m.put("options", d.options());
        m.put("state", d.state());
        m.put("control", d.control());
        m.put("summary", d.summary());
        m.put("pid", d.pid());
        m.put("host", d.host());
        m.put("steps", steps.stream().map(DeployCommands::stepJson).toList());
        return m;
    }

    static Map<String, Object> stepJson(StoredStep s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", s.label());
        m.put("agent", s.agent().toString());
        m.put("file", s.file().toString());
        m.put("pattern", s.pattern());
        m.put("state", s.state().text());
        m.put("detail", s.detail());
        m.put("before_sha256", s.beforeSha256());
        m.put("after_sha256", s.afterSha256());
        m.put("predicted_gain_ms", s.predictedGainMs());
        return m;
    }
}
