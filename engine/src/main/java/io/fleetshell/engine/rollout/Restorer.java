package io.fleetshell.engine.rollout;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.InParallel;

import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.AgentId;

import java.io.IOException;
import java.util.function.Function;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts originals back, byte-exact: for automatic rollback of a failed step, for a batch gate, for
 * {@code rollback} and for recovery. Each file is compared with both sides of its step first: the
 * rewrite is replaced (atomically, then verified by checksum), the original is left as it is, and a file
 * that is neither (edited since the deploy) is refused, unless forced, in which case that edited version
 * is backed up first. Intents for all steps commit in one transaction, the writes run in parallel, the
 * outcomes commit in one transaction: restoring a thousand files costs two commits, not two thousand. A file is
 * read and written only while it resolves to the real path its step recorded (a directory swapped for a symlink
 * is refused, as is a file replaced by a symlink), and the original gets back the mode, owner and group its
 * backup recorded (the owner only when fleetshell may give files away, i.e. runs as root; else the outcome says
 * that the owner differs). A step of several files (a shared module, the helper module it created, agent files) is one
 * unit: it is restored whole or, when one of its files was edited since, not at all; a file the step created is removed.
 */
public final class Restorer {

    /** Parallel writers: measured on 2 cores, fsync-bound writes gain up to about 8 threads (bench/rollback.py). */
    static final int THREADS = 8;

    /** What became of one step. */
    public sealed interface Outcome {
        StoredStep step();
    }

    /**
     * The original is on disk again, verified: {@code sha256} equals the step's before-checksum; {@code note} says what of
     * its stat data could not be given back (the owner, when not running as root), or is null.
     */
    public record Restored(StoredStep step, String sha256, boolean wasAlreadyOriginal, boolean replacedEdit, String note)
            implements Outcome {

        public Restored(StoredStep step, String sha256, boolean wasAlreadyOriginal, boolean replacedEdit) {
            this(step, sha256, wasAlreadyOriginal, replacedEdit, null);
        }
    }

    /** Left alone: the file was edited since the deploy (or is gone), and the restore was not forced. */
    public record Refused(StoredStep step, String currentSha256, String reason) implements Outcome {
    }

    /** The restore was tried and did not succeed; the step stays RESTORING so recovery tries again. */
    public record Failed(StoredStep step, String reason) implements Outcome {
    }

    private final DeploymentJournal journal;
    private final Function<AgentId, Host> hosts;

    public Restorer(DeploymentJournal journal) {
        this(journal, LOCAL);
    }

    /** @param hosts the machine each step's agent is on, where its files are read and written */
    public Restorer(DeploymentJournal journal, Function<AgentId, Host> hosts) {
        this.journal = journal;
        this.hosts = hosts;
    }

    /** Every file on this computer. */
    static final Function<AgentId, Host> LOCAL = id -> new LocalHost("local", java.nio.file.Path.of("/"));

    /**
     * Restores the steps' originals.
     *
     * @param why        recorded with each step ("proof failed", "rollback --deployment 4", ...)
     * @param force      replace files edited since the deploy (backing the edited version up first)
     * @param onConflict the state refused steps get (null: unchanged)
     */
    public List<Outcome> restore(List<StoredStep> steps, String why, boolean force, StepState onConflict) {
        if (steps.isEmpty()) {
            return List.of();
        }
        Set<String> wanted = new HashSet<>();
        steps.forEach(s -> s.files().stream().filter(f -> !f.creates()).forEach(f -> wanted.add(f.beforeSha256())));
        Map<String, byte[]> originals = journal.blobs(wanted);
        Map<Long, Map<String, DeploymentJournal.FileMeta>> kept = originalMeta(steps);
        List<Current> current = InParallel.map(steps, THREADS, s -> read(hosts.apply(s.agent()), s), "reading the files to restore");

        List<StoredStep> toWrite = new ArrayList<>();
        List<Boolean> edits = new ArrayList<>();
        List<StoredStep> alreadyOriginal = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            StoredStep step = steps.get(i);
            if (current.get(i).refused() != null) {
                refuse(outcomes, step, null, current.get(i).refused(), onConflict);
                continue;
            }
            List<StepFile> files = step.files();
            List<byte[]> bytes = current.get(i).bytes();
            List<String> edited = new ArrayList<>();
            boolean allOriginal = true;
            for (int f = 0; f < files.size(); f++) {
                StepFile file = files.get(f);
                if (file.uses()) {
                    continue; // never written by the step, so never restored: another step owns it
                }
                String sha = bytes.get(f) == null ? null : Checksums.sha256(bytes.get(f));
                allOriginal &= file.isOriginal(sha);
                if (!file.isOriginal(sha) && !file.afterSha256().equals(sha)) {
                    edited.add(sha == null ? file.file() + " no longer exists"
                            : file.file() + " was edited since the deploy (sha256 " + sha.substring(0, 12) + ", neither the original "
                            + file.shortBefore() + " nor the rewrite " + file.afterSha256().substring(0, 12) + ")");
                }
            }
            String needed = neededElsewhere(step, files, bytes, steps);
            if (needed != null && !force) {
                refuse(outcomes, step, null, needed, onConflict);
            } else if (allOriginal) {
                alreadyOriginal.add(step);
            } else if (edited.isEmpty() || force) {
                if (!edited.isEmpty()) {
                    for (int f = 0; f < files.size(); f++) {
                        StepFile file = files.get(f);
                        String sha = bytes.get(f) == null ? null : Checksums.sha256(bytes.get(f));
                        if (bytes.get(f) != null && !file.uses() && !file.isOriginal(sha) && !file.afterSha256().equals(sha)) {
                            journal.backupEdited(step, file.file(), bytes.get(f), meta(hosts.apply(step.agent()), file.file()));
                        }
                    }
                }
                toWrite.add(step);
                edits.add(!edited.isEmpty());
            } else {
                String sha = bytes.getFirst() == null ? null : Checksums.sha256(bytes.getFirst());
                String reason = String.join("; ", edited) + (step.multiFile() ? ": the step's " + files.size()
                        + " files are restored together or not at all" : "");
                refuse(outcomes, step, sha, reason, onConflict);
            }
        }
        if (!alreadyOriginal.isEmpty()) {
            journal.record(alreadyOriginal, DeploymentJournal.OUTCOME, "restored", StepState.ROLLED_BACK,
                    why + ": the original was already on disk");
            alreadyOriginal.forEach(s -> outcomes.add(new Restored(s, s.beforeSha256(), true, false)));
        }
        if (toWrite.isEmpty()) {
            return outcomes;
        }
        journal.record(toWrite, DeploymentJournal.INTENT, "restore", StepState.RESTORING, why);
        List<Written> written = InParallel.map(toWrite, THREADS, s -> write(hosts.apply(s.agent()), s, originals, kept.getOrDefault(s.id(), Map.of())),
                "restoring originals");
        List<StoredStep> done = new ArrayList<>();
        for (int i = 0; i < toWrite.size(); i++) {
            StoredStep step = toWrite.get(i);
            Written w = written.get(i);
            if (w.error() == null) {
                done.add(step);
                outcomes.add(new Restored(step, step.beforeSha256(), false, edits.get(i), w.note()));
                if (w.note() != null) {
                    journal.record(step, DeploymentJournal.NOTE, "owner differs", null, w.note());
                }
            } else {
                outcomes.add(new Failed(step, w.error()));
                journal.record(step, DeploymentJournal.OUTCOME, "restore failed", null, w.error());
            }
        }
        if (!done.isEmpty()) {
            journal.record(done, DeploymentJournal.OUTCOME, "restored", StepState.ROLLED_BACK, why);
        }
        return outcomes;
    }

    /**
     * Why a file the step created may not be removed: another step still in place (applied or held, and not restored in
     * the same call) relies on it, e.g. a shared module rewritten later to import the helper this step created. Null when
     * none does or the file is gone already.
     */
    private String neededElsewhere(StoredStep step, List<StepFile> files, List<byte[]> bytes, List<StoredStep> restoring) {
        Set<Long> together = new HashSet<>();
        restoring.forEach(s -> together.add(s.id()));
        for (int f = 0; f < files.size(); f++) {
            StepFile file = files.get(f);
            if (!file.creates() || bytes.get(f) == null) {
                continue;
            }
            for (StoredStep other : journal.changedStepsUsing(file.file())) {
                if (other.id() != step.id() && !together.contains(other.id())) {
                    return ("%s, which this step created, is used by step %s (%s), still in place: removing it would break that step. "
                            + "Roll that back first (rollback %s), or both at once; --force removes it anyway").formatted(file.file(),
                            other.label(), other.subject(), other.subject());
                }
            }
        }
        return null;
    }

    private void refuse(List<Outcome> outcomes, StoredStep step, String sha, String reason, StepState onConflict) {
        outcomes.add(new Refused(step, sha, reason));
        if (onConflict != null) {
            journal.record(step, DeploymentJournal.NOTE, "restore refused", onConflict, reason);
        }
    }

    /** A restore's write: {@code error} null when every checksum read back matches; {@code note} what was not kept. */
    private record Written(String error, String note) {
    }

    /** The files of a step to restore as they are now: their bytes (null: absent), or why none may be touched. */
    private record Current(List<byte[]> bytes, String refused) {
    }

    /**
     * Puts back every file of the step that is not its original: a rewritten file gets its original bytes with the
     * recorded mode, owner and group, a file the step created is removed; each is read back. The files go back in
     * reverse order of their writes, so a helper module is removed only once nothing written imports it.
     */
    private static Written write(Host host, StoredStep step, Map<String, byte[]> originals, Map<String, DeploymentJournal.FileMeta> meta) {
        List<String> notes = new ArrayList<>();
        for (StepFile file : step.files().reversed()) {
            if (file.uses()) {
                continue;
            }
            byte[] original = file.creates() ? null : originals.get(file.beforeSha256());
            if (!file.creates() && original == null) {
                return new Written("the backup " + file.beforeSha256() + " of " + file.file() + " is missing from the history database", null);
            }
            try {
                byte[] now = AtomicFiles.readIfExists(host, file.file(), file.realPath());
                if (file.isOriginal(now == null ? null : Checksums.sha256(now))) {
                    continue;
                }
                if (file.creates()) {
                    AtomicFiles.remove(host, file.file(), file.realPath());
                    if (AtomicFiles.readIfExists(host, file.file(), file.realPath()) != null) {
                        return new Written("after the restore " + file.file() + " still exists; the step created it", null);
                    }
                    continue;
                }
                String note = AtomicFiles.write(host, file.file(), file.realPath(), file.tempFile(step.id()), original, meta.get(file.file().toString()));
                if (note != null) {
                    notes.add(note);
                }
                byte[] back = AtomicFiles.readIfExists(host, file.file(), file.realPath());
                String written = back == null ? "(no file)" : Checksums.sha256(back);
                if (!written.equals(file.beforeSha256())) {
                    return new Written("after the restore " + file.file() + " has sha256 " + written + ", not " + file.beforeSha256(), null);
                }
            } catch (IOException e) {
                cleanUp(host, step);
                return new Written("cannot write " + file.file() + ": " + e.getMessage(), null);
            } catch (FleetshellException e) {
                cleanUp(host, step);
                return new Written(e.getMessage(), null);
            }
        }
        return new Written(null, notes.isEmpty() ? null : String.join("; ", notes));
    }

    /**
     * The stat data of each step's originals as its deploy backups recorded them, per file path (files without one keep
     * the file's own).
     */
    private Map<Long, Map<String, DeploymentJournal.FileMeta>> originalMeta(List<StoredStep> steps) {
        Map<Long, Map<String, DeploymentJournal.FileMeta>> meta = new HashMap<>();
        Set<Long> ids = new HashSet<>();
        steps.forEach(s -> ids.add(s.id()));
        for (long deployment : steps.stream().map(StoredStep::deploymentId).distinct().toList()) {
            for (DeploymentJournal.Backup backup : journal.backups(deployment)) {
                if (ids.contains(backup.stepId()) && "deploy".equals(backup.reason()) && !backup.absent()) {
                    meta.computeIfAbsent(backup.stepId(), k -> new HashMap<>()).putIfAbsent(backup.path(), backup.meta());
                }
            }
        }
        return meta;
    }

    /** Removes the temporary files of every file of the step (its write or restore). */
    static void cleanUp(Host host, StoredStep step) {
        for (StepFile file : step.files()) {
            try {
                host.delete(file.tempFile(step.id()));
            } catch (IOException ignored) {
                // reported by recovery, which looks for it again
            }
        }
    }

    private static Current read(Host host, StoredStep step) {
        try {
            List<byte[]> bytes = new ArrayList<>();
            for (StepFile file : step.files()) {
                bytes.add(AtomicFiles.readIfExists(host, file.file(), file.realPath()));
            }
            return new Current(bytes, null);
        } catch (FleetshellException e) {
            return new Current(null, e.getMessage() + (step.multiFile() ? "; none of the step's files was touched" : ""));
        }
    }

    private static DeploymentJournal.FileMeta meta(Host host, java.nio.file.Path file) {
        try {
            return AtomicFiles.stat(host, file);
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot read " + file + ": " + e.getMessage()
                    + ". Nothing was restored.", e);
        }
    }
}
