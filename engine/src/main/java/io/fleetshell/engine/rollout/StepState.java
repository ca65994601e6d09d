package io.fleetshell.engine.rollout;

/**
 * Where one step stands. The journal moves a step through these; {@code WRITING}, {@code WRITTEN} and
 * {@code RESTORING} are in-flight states that only an interrupted deployment leaves behind, and that
 * {@link Recovery} resolves.
 */
public enum StepState {
    /** Not started. */
    PENDING,
    /** The original is backed up; the new content is being written. */
    WRITING,
    /** The new content is on disk; proof, restart and gates are under way. */
    WRITTEN,
    /** Written, proved and gated: the change stays. */
    APPLIED,
    /** Written and proved, but a gate could not decide: the change stays until a person decides. */
    HELD,
    /** Not touched: the file changed on disk since the plan was resolved. */
    DRIFTED,
    /** The original is being put back. */
    RESTORING,
    /** The original is back on disk, byte-exact (verified by checksum). */
    ROLLED_BACK,
    /** Rollback or recovery found a file that is neither the original nor the rewrite, and left it alone. */
    CONFLICT,
    /**
     * Not deployed because its proof found no gain (not faster to load or start): the original is back, byte-exact.
     * Not a failure: the batch gate does not count it and it rolls nothing else back (issue 16 item 10).
     */
    SKIPPED;

    public String text() {
        return name().toLowerCase().replace('_', ' ');
    }

    public static StepState parse(String text) {
        return valueOf(text.toUpperCase().replace(' ', '_'));
    }

    /** Whether the step's rewrite is on disk by fleetshell's record (and so can be rolled back). */
    public boolean changed() {
        return this == APPLIED || this == HELD;
    }

    /** Whether the batch gate counts the step as failed: rolled back, drifted or left in conflict. */
    public boolean failed() {
        return this == ROLLED_BACK || this == DRIFTED || this == CONFLICT;
    }
}
