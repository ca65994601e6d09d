package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.AgentId;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where rollouts keep everything they do: the plan, content-addressed originals and rewrites, the
 * intent/outcome journal, every decision with its evidence, and the fleet lock. Each method is one
 * transaction: a journal entry and the step state it sets commit together or not at all. history-db
 * implements it on SQLite.
 */
public interface DeploymentJournal {

    /**
     * Stat data of a file as it was before fleetshell wrote over it.
     *
     * @param mode     permission bits, or null where the file system has none
     * @param mtime    last modification
     * @param owner    owning user's name, or null where the file system has none
     * @param group    owning group's name, or null
     * @param realPath the file's real path (its directory's symlinks resolved) when it was read, or null
     */
    record FileMeta(Integer mode, Instant mtime, String owner, String group, java.nio.file.Path realPath) {

        public FileMeta(Integer mode, Instant mtime) {
            this(mode, mtime, null, null, null);
        }

        /** {@code owner:group}, or null when neither is known. */
        public String ownership() {
            return owner == null && group == null ? null : owner + ":" + group;
        }
    }

    /** One line of the journal. */
    record Entry(long id, Integer batch, Long stepId, Instant at, String phase, String action, String detail) {
    }

    /** A decision with the batch and step it was about (null for a deployment-level one). */
    record Recorded(Integer batch, Long stepId, Decision decision) {
    }

    /**
     * A stored backup; {@code realPath}, {@code owner} and {@code group} are null in backups taken before they were kept.
     * {@code absent}: the file did not exist before the step, which created it (its "original" is its absence, and
     * {@code sha256} is the empty content's).
     */
    record Backup(long stepId, String sha256, String path, Integer mode, Instant mtime, String reason, Instant takenAt,
                  String realPath, String owner, String group, boolean absent) {

        public Backup(long stepId, String sha256, String path, Integer mode, Instant mtime, String reason, Instant takenAt,
                      String realPath, String owner, String group) {
            this(stepId, sha256, path, mode, mtime, reason, takenAt, realPath, owner, group, false);
        }

        public Backup(long stepId, String sha256, String path, Integer mode, Instant mtime, String reason, Instant takenAt) {
            this(stepId, sha256, path, mode, mtime, reason, takenAt, null, null, null, false);
        }

        /** The stat data to restore with the original. */
        public FileMeta meta() {
            return new FileMeta(mode, mtime, owner, group, realPath == null ? null : java.nio.file.Path.of(realPath));
        }
    }

    String INTENT = "intent";
    String OUTCOME = "outcome";
    String NOTE = "note";

    /**
     * Stores the plan (state running, every step pending, both sides of every rewrite as blobs) and takes
     * the fleet lock for it, in one transaction.
     *
     * @throws io.fleetshell.engine.FleetshellException naming the holder when the fleet is locked
     */
    long create(Plan plan, Map<String, Object> options, LockHolder holder);

    /** Takes the fleet lock. @throws io.fleetshell.engine.FleetshellException naming the holder when it is taken */
    void lock(LockHolder holder);

    /** Releases the lock if this process holds it. */
    void unlock();

    /** Removes the lock whoever holds it (for a holder known to be dead). */
    void breakLock();

    Optional<LockHolder> lockHolder();

    Optional<Deployment> deployment(long id);

    /** The most recent deployments, newest first. */
    List<Deployment> deployments(int limit);

    List<StoredStep> steps(long deploymentId);

    /** Ids of deployments still running or with a step in flight (writing, written, restoring), oldest first. */
    List<Long> unsettled();

    /** Every step that ever changed this agent's file, newest first. */
    List<StoredStep> stepsOf(AgentId agent);

    /** Every step that ever rewrote this shared module (dotted name), newest first. */
    List<StoredStep> stepsOfModule(String module);

    /**
     * The steps whose change is in place (applied or held) that rely on {@code file} without creating it: they list it
     * among their files, written or left as it is (a helper module another step created). Newest first.
     */
    List<StoredStep> changedStepsUsing(java.nio.file.Path file);

    Map<String, byte[]> blobs(Collection<String> sha256s);

    /** Stores content under its sha256 (once) and returns the checksum. */
    String storeBlob(byte[] content);

    /**
     * Backs up the originals of every file of the step and records the intent to write them, setting the step to
     * WRITING, in one transaction: a file the step creates is backed up as "absent".
     *
     * @param originals the stat data of each of {@link StoredStep#files()}, in that order; null for a file the step creates
     */
    void beginWrite(StoredStep step, List<FileMeta> originals);

    /** {@link #beginWrite(StoredStep, List)} for a step of one file. */
    default void beginWrite(StoredStep step, FileMeta original) {
        beginWrite(step, java.util.Collections.singletonList(original));
    }

    /** Backs up a version of one of the step's files edited since the deploy, before a forced rollback replaces it. */
    void backupEdited(StoredStep step, java.nio.file.Path file, byte[] content, FileMeta meta);

    /** {@link #backupEdited(StoredStep, java.nio.file.Path, byte[], FileMeta)} of the step's first file. */
    default void backupEdited(StoredStep step, byte[] content, FileMeta meta) {
        backupEdited(step, step.file(), content, meta);
    }

    /** A journal entry that moves steps to {@code newState} (null: no state change), one transaction for all of them. */
    void record(List<StoredStep> steps, String phase, String action, StepState newState, String detail);

    default void record(StoredStep step, String phase, String action, StepState newState, String detail) {
        record(List.of(step), phase, action, newState, detail);
    }

    /** A deployment- or batch-level journal entry. */
    void note(long deploymentId, Integer batch, String action, String detail);

    void decision(long deploymentId, Integer batch, Long stepId, Decision decision);

    List<Recorded> decisions(long deploymentId);

    List<Entry> journal(long deploymentId);

    List<Backup> backups(long deploymentId);

    void batchState(long deploymentId, int batch, BatchState state);

    Map<Integer, BatchState> batchStates(long deploymentId);

    /**
     * Ends batch {@code batch}, the deployment's last and not yet started, after its first {@code size} steps: the
     * others move, in order, into a new last batch {@code batch + 1}. A rollout whose batch policy sizes each batch
     * as it starts is stored as one batch of every step, in order, and cut this way one batch at a time.
     */
    void cut(long deploymentId, int batch, int size);

    /** Ends the deployment in {@code state} with a summary and releases the lock if this process holds it. */
    void finish(long deploymentId, DeploymentState state, String summary);

    /** Sets a held or stopped deployment running again under this process and takes the lock for it. */
    void reopen(long deploymentId, LockHolder holder);

    void control(long deploymentId, String control);

    /** What another shell asked of a running deployment: pause, abort, or null. */
    String control(long deploymentId);
}
