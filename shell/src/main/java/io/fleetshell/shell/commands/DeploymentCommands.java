package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.FleetLock;
import io.fleetshell.engine.rollout.LockHolder;
import io.fleetshell.engine.process.Leftovers;
import io.fleetshell.engine.rollout.Recovery;
import io.fleetshell.engine.rollout.Restorer;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Host;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code deploy status|pause|resume|abort|recover|unlock}: watch and steer deployments, also from a second shell.
 * {@code deploy resume} executes a stored deployment's remaining steps with the proof hints stored with them.
 */
@Component
public class DeploymentCommands {

    private final ShellSession session;
    private final Rollouts rollouts;
    private final LeftoverSweep leftovers;

    public DeploymentCommands(ShellSession session, Rollouts rollouts, LeftoverSweep leftovers) {
        this.leftovers = leftovers;
        this.session = session;
        this.rollouts = rollouts;
    }

    @Command(name = {"deploy", "status"}, group = DeployCommands.GROUP, help = "deploy status [ID] [--watch | --wait [--timeout 30m]] [--json]",
            completionProvider = "deploymentCompletion",
            description = "Show deployments: without ID the recent ones and who holds the fleet lock; with ID its batches and every "
                    + "step's state. --watch follows a running deployment from any shell, printing each change, until it ends; "
                    + "--wait blocks silently until it ends (for CI). With either, the exit status is 0 when it completed, 1 when "
                    + "it failed, was held, stopped, rolled back, was interrupted or --timeout passed, 2 on bad input.")
    public void status(@Argument(index = 0) Integer id,
                       @Option(longName = "watch", description = "follow the deployment until it ends, printing each change") boolean watch,
                       @Option(longName = "wait", description = "block until the deployment ends; exit 0 completed, 1 otherwise") boolean wait,
                       @Option(longName = "timeout", description = "with --watch or --wait: give up after this long (default 30m)") String timeout,
                       @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        DeploymentStore store = rollouts.store();
        Output out = session.output();
        if (watch && wait) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "give --watch or --wait, not both");
        }
        if (timeout != null && !watch && !wait) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--timeout goes with --watch or --wait");
        }
        if (watch || wait) {
            follow(rollouts.deployment(id), watch, timeout == null ? Duration.ofMinutes(30) : Durations.parse(timeout, "--timeout"), json);
            return;
        }
        Optional<LockHolder> holder = store.lockHolder();
        if (id == null) {
            List<Deployment> recent = store.deployments(20);
            if (json) {
                out.json(new RolloutView.StatusJson(holder.map(RolloutView.LockJson::of).orElse(null),
                        recent.stream().map(d -> RolloutView.DeploymentJson.of(d, store.steps(d.id()))).toList()));
                return;
            }
            if (recent.isEmpty()) {
                out.info("No deployment yet: batch deploy starts one.");
            } else {
                TextTable table = new TextTable("ID", "STARTED", "PATTERN", "STATE", "APPLIED", "SUMMARY").note("SUMMARY");
                for (Deployment d : recent) {
                    List<StoredStep> steps = store.steps(d.id());
                    table.row(d.id(), DeployCommands.WHEN.format(d.createdAt()), d.pattern(), RolloutView.state(out, d), "%d/%d".formatted(
                            steps.stream().filter(s -> s.state().changed()).count(), steps.size()), d.summary() == null ? "" : d.summary());
                }
                out.table(table);
                recent.stream().map(d -> orphaned(d, holder)).flatMap(Optional::stream).forEach(out::warn);
            }
            out.info(holder.map(h -> FleetLock.explained(h, Host.name())).orElse("The fleet is not locked."));
            return;
        }
        Deployment d = rollouts.deployment(id);
        List<StoredStep> steps = store.steps(d.id());
        if (json) {
            out.json(RolloutView.DeploymentJson.of(d, steps));
            return;
        }
        out.println("deployment %d: %s, started %s by pid %d on %s; pattern %s; options %s".formatted(d.id(), RolloutView.state(out, d),
                DeployCommands.WHEN.format(d.createdAt()), d.pid(), d.host(), d.pattern(), d.options()));
        if (d.control() != null) {
            out.println("requested: " + d.control());
        }
        store.batchStates(d.id()).forEach((b, s) -> out.println("batch %d.%d: %s".formatted(d.id(), b, s.text())));
        out.table(RolloutView.stepsTable(out, steps));
        RolloutView.printFiles(out, steps);
        if (d.summary() != null) {
            out.println(d.summary());
        }
        orphaned(d, holder).ifPresent(out::warn);
    }

    /**
     * A deployment stored as running that no live process executes (its process was killed, or stopped by an error
     * after releasing the lock): says so and names the command that settles it; empty for any other deployment.
     */
    static Optional<String> orphaned(Deployment d, Optional<LockHolder> holder) {
        if (!d.running()) {
            return Optional.empty();
        }
        Optional<LockHolder> own = holder.filter(h -> h.deploymentId() != null && h.deploymentId() == d.id());
        if (own.isPresent() && !own.get().deadOn(Host.name())) {
            return Optional.empty();
        }
        String why = own.map(h -> "its process (pid %d on %s) is gone".formatted(h.pid(), h.host()))
                .orElse("no process holds the fleet lock for it (pid %d stopped without finishing it)".formatted(d.pid()));
        return Optional.of(("deployment %d is marked running, but %s: deploy recover settles its steps (a step caught mid-way gets "
                + "its original back), then deploy status %d shows what stayed").formatted(d.id(), why, d.id()));
    }

    /** {@code --watch} / {@code --wait}: polls the store until the deployment ends, the process behind it is gone, or the timeout. */
    private void follow(Deployment start, boolean print, Duration timeout, boolean json) {
        DeploymentStore store = rollouts.store();
        Output out = session.output();
        long id = start.id();
        Instant deadline = Instant.now().plus(timeout);
        java.util.Map<Long, String> shown = new java.util.HashMap<>();
        String lastState = null;
        while (true) {
            Deployment d = store.deployment(id).orElseThrow();
            List<StoredStep> steps = store.steps(id);
            if (print) {
                String state = d.state().words() + (d.control() == null ? "" : " (" + d.control() + " requested)");
                if (!state.equals(lastState)) {
                    out.println("deployment %d: %s".formatted(id, state));
                    lastState = state;
                }
                for (StoredStep s : steps) {
                    String line = s.state().text() + (s.detail() == null ? "" : ": " + s.detail());
                    if (s.state() != StepState.PENDING && !line.equals(shown.get(s.id()))) {
                        shown.put(s.id(), line);
                        out.println("  %s %s %s".formatted(s.label(), s.subject(), line));
                    }
                }
            }
            if (!d.running()) {
                if (json) {
                    out.json(RolloutView.DeploymentJson.of(d, steps));
                } else if (print) {
                    out.println(d.summary() == null ? "" : d.summary());
                }
                if (d.state() != DeploymentState.COMPLETED) {
                    throw new FleetshellException(ErrorCode.OPERATION_FAILED, "deployment %d ended %s%s".formatted(id, d.state().words(),
                            d.summary() == null ? "" : ": " + d.summary()));
                }
                if (!print && !json) {
                    out.info("deployment %d completed: %s".formatted(id, d.summary()));
                }
                return;
            }
            Optional<String> orphan = orphaned(d, store.lockHolder());
            if (orphan.isPresent()) {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, orphan.get());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, "deployment %d is still running after %s; deploy status %d --wait "
                        .formatted(id, Durations.format(timeout), id) + "waits again, deploy abort %d stops it".formatted(id));
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted; the deployment goes on in its own process");
            }
        }
    }

    @Journaled
    @Command(name = {"deploy", "pause"}, group = DeployCommands.GROUP, help = "deploy pause [ID]", completionProvider = "deploymentCompletion",
            description = "Ask a running deployment to pause after its current step (it waits for deploy resume or deploy abort).")
    public void pause(@Argument(index = 0) Integer id) {
        Deployment d = running(id, "pause");
        rollouts.store().control(d.id(), "pause");
        session.journal().summary("pause requested for deployment " + d.id());
        session.output().info("Deployment %d pauses after its current step; deploy resume %d goes on, deploy abort %d rolls it back."
                .formatted(d.id(), d.id(), d.id()));
    }

    @Journaled
    @Command(name = {"deploy", "abort"}, group = DeployCommands.GROUP, help = "deploy abort [ID]", completionProvider = "deploymentCompletion",
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
                    d.state().words()));
        }
        Inventory inventory = session.inventoryStore().inventory();
        RolloutExecutor.RollbackResult result = rollouts.restorer(inventory).rollback(changed, "deploy abort " + d.id(), false);
        store.finish(d.id(), DeploymentState.ABORTED, "aborted by deploy abort; its changes were rolled back");
        RollbackCommands.printRollback(out, result);
        session.journal().summary("deployment %d aborted and rolled back".formatted(d.id()));
    }

    @Journaled
    @Command(name = {"deploy", "resume"}, group = DeployCommands.GROUP, help = "deploy resume [ID] [--runs N] [--extend 2m]", completionProvider = "deploymentCompletion",
            description = "Resume a paused deployment; or accept a held (or stopped) deployment's applied steps and execute its "
                    + "remaining batches in this shell. With --extend, a held deployment's analyses measure the held agents that much "
                    + "longer and decide again: passed steps are accepted, failed ones rolled back, the rest stay held.")
    public void resume(@Argument(index = 0) Integer id,
                       @Option(longName = "runs", defaultValue = "11", description = "fresh-process loads of each version for the load-time proof") Integer runs,
                       @Option(longName = "extend", description = "measure the held agents this much longer, e.g. 2m, then decide again") String extend) {
        Duration extra = extend == null ? null : Durations.parse(extend, "--extend");
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
        InterruptibleRollout rollout = new InterruptibleRollout(new RolloutProgress(out, d.id()), session.interrupts(), d.id());
        RolloutView.report(session, rollout.run(rollouts, inventory, () -> executor.resume(d.id(), extra, rollout)), false);
    }

    @Journaled
    @Command(name = {"deploy", "recover"}, group = DeployCommands.GROUP, help = "deploy recover [--json]",
            description = "Bring every agent of an interrupted deployment (its process killed, the machine powered off) to a "
                    + "consistent state: steps the journal shows finished stay as recorded; a step caught mid-way gets its "
                    + "original back, byte-exact; temporary files are removed; the lock is released.")
    public void recover(@Option(longName = "json", description = "print JSON on stdout") boolean json) {
        DeploymentStore store = rollouts.store();
        Recovery recovery = new Recovery(store, Host.name());
        Output out = session.output();
        List<Deployment> interrupted = recovery.interrupted();
        Optional<LockHolder> deadLock = store.lockHolder().filter(h -> h.deadOn(Host.name()));
        Leftovers.Swept swept = leftovers.sweep();
        if (!json && !swept.isEmpty()) {
            swept.killed().forEach(k -> out.println("killed " + k));
            swept.removed().forEach(f -> out.println("removed " + f));
        }
        if (interrupted.isEmpty() && deadLock.isEmpty()) {
            session.journal().summary(swept.isEmpty() ? "nothing to recover" : swept.summary());
            if (json) {
                out.json(new RecoveredJson(List.of(), LeftoversJson.of(swept)));
            } else if (swept.isEmpty()) {
                out.info("Nothing to recover: no deployment was interrupted.");
            } else {
                out.info("No deployment was interrupted; what killed fleetshell processes left is gone.");
            }
            return;
        }
        Inventory inventory = session.inventoryStore().inventory();
        List<Recovery.Result> results = recovery.onHosts(rollouts.hosts(inventory)).recoverAll(rollouts.runtime(inventory), Rollouts.lookup(inventory));
        session.journal().summary("recovered " + String.join(", ", results.stream().map(r -> "deployment " + r.deploymentId()).toList()));
        if (json) {
            out.json(new RecoveredJson(results.stream().map(RecoveredJson.DeploymentJson::of).toList(), LeftoversJson.of(swept)));
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
    @Command(name = {"deploy", "unlock"}, group = DeployCommands.GROUP, help = "deploy unlock [--force]",
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

    /** What the sweep of {@code deploy recover} killed and removed. */
    record LeftoversJson(List<String> killed, List<String> removed) {

        static LeftoversJson of(Leftovers.Swept swept) {
            return new LeftoversJson(swept.killed(), swept.removed().stream().map(Object::toString).toList());
        }
    }

    /**
     * {@code deploy recover --json}: each recovered deployment, its restored agents and removed temporary files, and
     * the leftovers of killed fleetshell processes (child process groups, temporary files) the sweep removed.
     */
    record RecoveredJson(List<DeploymentJson> recovered, LeftoversJson leftovers) {

        record DeploymentJson(long deployment, String summary, List<String> restored, List<String> removedTempFiles) {

            static DeploymentJson of(Recovery.Result r) {
                return new DeploymentJson(r.deploymentId(), r.summary(), r.restored().stream().map(o -> o.step().agent().toString()).toList(),
                        r.removedTempFiles());
            }
        }
    }

    private Deployment running(Integer id, String verb) {
        Deployment d = rollouts.deployment(id);
        if (!d.running()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "deployment %d is %s; only a running deployment can %s".formatted(d.id(),
                    d.state().words(), verb));
        }
        return d;
    }
}
