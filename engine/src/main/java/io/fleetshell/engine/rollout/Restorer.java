package io.fleetshell.engine.rollout;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.InParallel;

import io.fleetshell.engine.SafeFiles;

import java.io.IOException;
import java.nio.file.Files;
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
 * that the owner differs).
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

    public Restorer(DeploymentJournal journal) {
        this.journal = journal;
    }

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
        steps.forEach(s -> wanted.add(s.beforeSha256()));
        Map<String, byte[]> originals = journal.blobs(wanted);
        Map<Long, DeploymentJournal.FileMeta> kept = originalMeta(steps);
        List<Current> current = InParallel.map(steps, THREADS, Restorer::read, "reading the files to restore");

        List<StoredStep> toWrite = new ArrayList<>();
        List<StoredStep> alreadyOriginal = new ArrayList<>();
        List<Boolean> edits = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            StoredStep step = steps.get(i);
            if (current.get(i).refused() != null) {
                String reason = current.get(i).refused();
                outcomes.add(new Refused(step, null, reason));
                if (onConflict != null) {
                    journal.record(step, DeploymentJournal.NOTE, "restore refused", onConflict, reason);
                }
                continue;
            }
            byte[] bytes = current.get(i).bytes();
            String sha = bytes == null ? null : Checksums.sha256(bytes);
            if (step.beforeSha256().equals(sha)) {
                alreadyOriginal.add(step);
            } else if (step.afterSha256().equals(sha)) {
                toWrite.add(step);
                edits.add(false);
            } else if (force) {
                if (bytes != null) {
                    journal.backupEdited(step, bytes, meta(step));
                }
                toWrite.add(step);
                edits.add(true);
            } else {
                String reason = bytes == null ? step.file() + " no longer exists"
                        : step.file() + " was edited since the deploy (sha256 " + sha.substring(0, 12) + ", neither the original "
                        + step.beforeSha256().substring(0, 12) + " nor the rewrite " + step.afterSha256().substring(0, 12) + ")";
                outcomes.add(new Refused(step, sha, reason));
                if (onConflict != null) {
                    journal.record(step, DeploymentJournal.NOTE, "restore refused", onConflict, reason);
                }
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
        List<Written> written = InParallel.map(toWrite, THREADS, s -> write(s, originals.get(s.beforeSha256()), kept.get(s.id())),
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

    /** A restore's write: {@code error} null when the checksum read back matches; {@code note} what was not kept. */
    private record Written(String error, String note) {
    }

    /** A file to restore as it is now: its bytes (null: gone), or why it may not be touched. */
    private record Current(byte[] bytes, String refused) {
    }

    /** Writes the original with its recorded mode, owner and group, and reads it back. */
    private static Written write(StoredStep step, byte[] original, DeploymentJournal.FileMeta meta) {
        if (original == null) {
            return new Written("the backup " + step.beforeSha256() + " is missing from the history database", null);
        }
        try {
            String note = AtomicFiles.write(step.file(), step.realPath(), step.tempFile(), original, meta);
            String written = Checksums.sha256(SafeFiles.readScript(step.file()));
            return new Written(written.equals(step.beforeSha256()) ? null
                    : "after the restore " + step.file() + " has sha256 " + written + ", not " + step.beforeSha256(), note);
        } catch (IOException e) {
            cleanUp(step);
            return new Written("cannot write " + step.file() + ": " + e.getMessage(), null);
        } catch (FleetshellException e) {
            cleanUp(step);
            return new Written(e.getMessage(), null);
        }
    }

    /** The stat data of each step's original as its deploy backup recorded it (steps without one keep the file's own). */
    private Map<Long, DeploymentJournal.FileMeta> originalMeta(List<StoredStep> steps) {
        Map<Long, DeploymentJournal.FileMeta> meta = new HashMap<>();
        Set<Long> ids = new HashSet<>();
        steps.forEach(s -> ids.add(s.id()));
        for (long deployment : steps.stream().map(StoredStep::deploymentId).distinct().toList()) {
            for (DeploymentJournal.Backup backup : journal.backups(deployment)) {
                if (ids.contains(backup.stepId()) && "deploy".equals(backup.reason())) {
                    meta.putIfAbsent(backup.stepId(), backup.meta());
                }
            }
        }
        return meta;
    }

    static void cleanUp(StoredStep step) {
        try {
            Files.deleteIfExists(step.tempFile());
        } catch (IOException ignored) {
            // reported by recovery, which looks for it again
        }
    }

    private static Current read(StoredStep step) {
        try {
            SafeFiles.unchanged(step.file(), step.realPath());
            return new Current(AtomicFiles.readIfExists(step.file()), null);
        } catch (FleetshellException e) {
            return new Current(null, e.getMessage());
        }
    }

    private static DeploymentJournal.FileMeta meta(StoredStep step) {
        try {
            return AtomicFiles.stat(step.file());
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot read " + step.file() + ": " + e.getMessage()
                    + ". Nothing was restored.", e);
        }
    }
}
