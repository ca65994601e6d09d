package io.fleetshell.engine.rollout;

import java.nio.file.Path;

/**
 * One file of a plan step, as the journal holds it: a step that changes several files (a shared module, the helper
 * module it creates, agent files) is one unit, and each of its files is checked, backed up, written, restored and
 * recovered by these four values.
 *
 * @param file         the file (absolute)
 * @param realPath     its real path when the plan was made (its directory's symlinks resolved): every write and
 *                     restore is refused when it resolves elsewhere
 * @param beforeSha256 sha256 of the bytes the step expects on disk, or null when the file is absent and the step
 *                     creates it (then "the original" is its absence: a rollback removes it)
 * @param afterSha256  sha256 of the bytes the step writes
 */
public record StepFile(Path file, Path realPath, String beforeSha256, String afterSha256) {

    /** Whether the step creates the file (absent when planned). */
    public boolean creates() {
        return beforeSha256 == null;
    }

    /**
     * The temporary file a write or restore of this file uses in step {@code stepId}: in the same directory (so the
     * rename is atomic), named after the step so that recovery knows exactly which leftovers are its own.
     */
    public Path tempFile(long stepId) {
        return file.resolveSibling("." + file.getFileName() + ".fleetshell-" + stepId + ".tmp");
    }

    /**
     * Whether the step leaves the file as it is: it only relies on it (a helper module an earlier step created, which this
     * step's module imports). Such a file is checked for drift, never written, and protects the file from the removal by
     * a rollback of the step that created it.
     */
    public boolean uses() {
        return beforeSha256 != null && beforeSha256.equals(afterSha256);
    }

    /** Whether {@code sha256} (null: absent) is this file's original. */
    public boolean isOriginal(String sha256) {
        return beforeSha256 == null ? sha256 == null : beforeSha256.equals(sha256);
    }

    /** {@code 4f2a9c1b03de} or {@code absent}: the original, for messages. */
    public String shortBefore() {
        return beforeSha256 == null ? "absent" : beforeSha256.substring(0, 12);
    }
}
