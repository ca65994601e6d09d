package io.fleetshell.engine.rollout;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.InParallel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
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
 * outcomes commit in one transaction: restoring a thousand files costs two commits, not two thousand.
 */
public final class Restorer {

    /** Parallel writers: measured on 2 cores, fsync-bound writes gain up to about 8 threads (bench/rollback.py). */
    static final int THREADS = 8;

    /** What became of one step. */
    public sealed interface Outcome {
        StoredStep step();
    }

    /** The original is on disk again, verified: {@code sha256} equals the step's before-checksum. */
    public record Restored(StoredStep step, String sha256, boolean wasAlreadyOriginal, boolean replacedEdit) implements Outcome {
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
        List<byte[]> current = InParallel.map(steps, THREADS, s -> read(s.file()), "reading the files to restore");

        List<StoredStep> toWrite = new ArrayList<>();
        List<StoredStep> alreadyOriginal = new ArrayList<>();
        List<Boolean> edits = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            StoredStep step = steps.get(i);
            byte[] bytes = current.get(i);
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
        List<String> errors = InParallel.map(toWrite, THREADS, s -> write(s, originals.get(s.beforeSha256())), "restoring originals");
        List<StoredStep> done = new ArrayList<>();
        for (int i = 0; i < toWrite.size(); i++) {
            StoredStep step = toWrite.get(i);
            if (errors.get(i) == null) {
                done.add(step);
                outcomes.add(new Restored(step, step.beforeSha256(), false, edits.get(i)));
            } else {
                outcomes.add(new Failed(step, errors.get(i)));
                journal.record(step, DeploymentJournal.OUTCOME, "restore failed", null, errors.get(i));
            }
        }
        if (!done.isEmpty()) {
            journal.record(done, DeploymentJournal.OUTCOME, "restored", StepState.ROLLED_BACK, why);
        }
        return outcomes;
    }

    /** Writes the original and reads it back; returns null when the checksum matches, else what went wrong. */
    private static String write(StoredStep step, byte[] original) {
        if (original == null) {
            return "the backup " + step.beforeSha256() + " is missing from the history database";
        }
        try {
            AtomicFiles.write(step.file(), step.tempFile(), original);
            String written = Checksums.sha256(Files.readAllBytes(step.file()));
            return written.equals(step.beforeSha256()) ? null
                    : "after the restore " + step.file() + " has sha256 " + written + ", not " + step.beforeSha256();
        } catch (IOException e) {
            cleanUp(step);
            return "cannot write " + step.file() + ": " + e.getMessage();
        }
    }

    static void cleanUp(StoredStep step) {
        try {
            Files.deleteIfExists(step.tempFile());
        } catch (IOException ignored) {
            // reported by recovery, which looks for it again
        }
    }

    private static byte[] read(java.nio.file.Path file) {
        try {
            return AtomicFiles.readIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DeploymentJournal.FileMeta meta(StoredStep step) {
        try {
            return new DeploymentJournal.FileMeta(AtomicFiles.mode(step.file()), AtomicFiles.mtime(step.file()));
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot read " + step.file() + ": " + e.getMessage()
                    + ". Nothing was restored.", e);
        }
    }
}
