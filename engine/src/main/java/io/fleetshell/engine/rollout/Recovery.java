package io.fleetshell.engine.rollout;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.process.Leftovers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code deploy recover}: brings every agent of an interrupted deployment (its process killed, the
 * machine powered off) to a consistent state. Steps the journal shows finished stay as recorded (applied
 * or rolled back); a step caught between its intent and its outcome (writing, written but not yet proved
 * and gated, restoring) gets its original back, byte-exact, since nothing proved its rewrite; the temporary
 * files of every step are removed; the lock is released. Steps never started stay pending. A step of several files
 * is settled as one unit: all its files go back to their originals (a file it created is removed), or, when one was
 * edited by someone else since, none is touched and the step is marked in conflict.
 */
public final class Recovery {

    /** What recovery did. */
    public record Result(long deploymentId, List<Restorer.Outcome> restored, List<String> removedTempFiles, long kept,
                         long neverStarted, String summary) {
    }

    private final DeploymentJournal journal;
    private final String host;
    private Function<AgentId, Host> hosts = Restorer.LOCAL;

    public Recovery(DeploymentJournal journal, String host) {
        this.journal = journal;
        this.host = host;
    }

    /** The machine each agent is on, where its step's files are examined, restored and cleaned up; returns this. */
    public Recovery onHosts(Function<AgentId, Host> hosts) {
        this.hosts = java.util.Objects.requireNonNull(hosts);
        return this;
    }

    /**
     * Files a step may leave beside the agent's file when its process dies: its write or restore temp file (its own:
     * recovery holds the lock), and the hidden siblings of that file whose owner process is gone (the original's copy a
     * proof loads, the proof's variants of the file and of that copy); a live fleetshell's siblings are left alone.
     * They are looked for on the step's machine; a remote sibling's owner is a fleetshell process of this computer too
     * (its pid is in the name), so whether it is alive is asked here.
     */
    static List<Path> leftovers(Host machine, StoredStep step) {
        List<Path> found = new ArrayList<>();
        for (StepFile file : step.files()) {
            found.add(file.tempFile(step.id()));
            String name = file.file().getFileName().toString();
            try {
                machine.list(file.file().getParent()).stream().map(sibling -> file.file().resolveSibling(sibling)).filter(p -> {
                    String sibling = p.getFileName().toString();
                    return (sibling.startsWith("." + name + ".fleetshell-") || sibling.startsWith(".." + name + ".fleetshell-"))
                            && !p.equals(file.tempFile(step.id())) && !Leftovers.ownerAlive(p);
                }).forEach(found::add);
            } catch (IOException e) {
                // the directory is gone or unreadable: nothing of ours to remove there
            }
        }
        return found;
    }

    /** Whether any file of the step holds its rewrite (a file it creates: exists with the step's content). */
    private boolean holdsRewrite(StoredStep step) {
        for (StepFile file : step.files()) {
            if (file.uses()) {
                continue; // left as it is by the step: its content says nothing of the step
            }
            try {
                byte[] bytes = AtomicFiles.readIfExists(hosts.apply(step.agent()), file.file(), file.realPath());
                if (bytes != null && io.fleetshell.engine.Checksums.sha256(bytes).equals(file.afterSha256())) {
                    return true;
                }
            } catch (FleetshellException e) {
                // not ours to judge: the restore refuses it with the reason
            }
        }
        return false;
    }

    /** Deployments left unsettled by a process that is gone: running with no live owner, or with steps in flight. */
    public List<Deployment> interrupted() {
        Optional<LockHolder> holder = journal.lockHolder();
        List<Deployment> result = new ArrayList<>();
        List<Long> ids = new ArrayList<>(journal.unsettled());
        // A process killed while it held the lock for a rollback of a finished deployment leaves no step in
        // flight if it died before its first intent or after its last outcome: the dead lock names it.
        if (holder.isPresent() && holder.get().deadOn(host) && holder.get().deploymentId() != null
                && !ids.contains(holder.get().deploymentId())) {
            ids.add(holder.get().deploymentId());
        }
        for (long id : ids) {
            boolean owned = holder.isPresent() && Long.valueOf(id).equals(holder.get().deploymentId()) && !holder.get().deadOn(host)
                    && !holder.get().isSelf();
            if (!owned) {
                journal.deployment(id).ifPresent(result::add);
            }
        }
        return result;
    }

    /**
     * Recovers every interrupted deployment, then breaks a lock its dead holder left without a deployment.
     */
    public List<Result> recoverAll(AgentRuntime runtime, Function<AgentId, Agent> agents) {
        List<Result> results = new ArrayList<>();
        for (Deployment deployment : interrupted()) {
            results.add(recover(deployment.id(), runtime, agents));
        }
        journal.lockHolder().filter(h -> h.deadOn(host)).ifPresent(h -> journal.breakLock());
        return results;
    }

    /**
     * Recovers one deployment.
     *
     * @param runtime restarts agents that run and got their original back (NOT_RUNNING: none)
     * @param agents  the agents by id, for restarts (may return null)
     */
    public Result recover(long deploymentId, AgentRuntime runtime, Function<AgentId, Agent> agents) {
        Deployment deployment = journal.deployment(deploymentId).orElseThrow(() -> new FleetshellException(ErrorCode.UNKNOWN_NAME,
                "there is no deployment " + deploymentId + " (deploy status lists them)"));
        Optional<LockHolder> holder = journal.lockHolder();
        if (holder.isPresent() && !holder.get().isSelf()) {
            if (!holder.get().deadOn(host)) {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, FleetLock.message(holder.get())
                        + ". It is not interrupted; nothing was changed.");
            }
            journal.note(deploymentId, null, "lock broken", "held by pid %d on %s, which is gone".formatted(holder.get().pid(),
                    holder.get().host()));
            journal.breakLock();
        }
        journal.lock(LockHolder.self(deploymentId, "recover", host));
        List<StoredStep> steps = journal.steps(deploymentId);
        List<String> removed = new ArrayList<>();
        for (StoredStep step : steps) {
            Host machine = hosts.apply(step.agent());
            for (Path leftover : leftovers(machine, step)) {
                try {
                    if (machine.delete(leftover)) {
                        removed.add(leftover.toString());
                        journal.record(step, DeploymentJournal.NOTE, "temporary file removed", null, leftover.toString());
                    }
                } catch (IOException e) {
                    throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot remove " + leftover + ": " + e.getMessage()
                            + ". Remove it by hand and run deploy recover again; the deployment is still marked interrupted.", e);
                }
            }
        }
        // In flight by the journal, or (after a power loss took the last journal commits but not the rename)
        // carrying the rewrite without a record that it was applied.
        List<StoredStep> inFlight = steps.stream().filter(s -> s.state() == StepState.WRITING || s.state() == StepState.WRITTEN
                || s.state() == StepState.RESTORING || (s.state() == StepState.PENDING && holdsRewrite(s))).toList();
        List<Restorer.Outcome> outcomes = new ArrayList<>();
        for (StoredStep step : inFlight) {
            String why = "recovered: interrupted while " + step.state().text();
            outcomes.addAll(new Restorer(journal, hosts).restore(List.of(step), why, false, StepState.CONFLICT));
        }
        RolloutExecutor restarts = new RolloutExecutor(journal, agents, (a, r, h) -> {
            throw new IllegalStateException("recovery proves nothing");
        }, List.of(), runtime, host).onHosts(hosts);
        restarts.restartRestored(outcomes);
        List<StoredStep> after = journal.steps(deploymentId);
        long kept = after.stream().filter(s -> s.state().changed()).count();
        long pending = after.stream().filter(s -> s.state() == StepState.PENDING).count();
        long conflicts = after.stream().filter(s -> s.state() == StepState.CONFLICT).count();
        String summary = "recovered: %d in-flight step%s restored, %d applied step%s kept, %d never started%s".formatted(
                inFlight.size(), inFlight.size() == 1 ? "" : "s", kept, kept == 1 ? "" : "s", pending,
                conflicts > 0 ? ", %d left alone (edited by someone else: see deploy status %d)".formatted(conflicts, deploymentId) : "");
        DeploymentState state = deployment.running() ? DeploymentState.RECOVERED : deployment.state();
        journal.finish(deploymentId, state, deployment.running() ? summary : deployment.summary() + "; " + summary);
        return new Result(deploymentId, outcomes, removed, kept, pending, summary);
    }
}
