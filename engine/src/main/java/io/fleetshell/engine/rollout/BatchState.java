package io.fleetshell.engine.rollout;

import java.util.Locale;

/**
 * Where one batch of a deployment stands: pending until its first step, running, then passed, failed (its batch
 * gate fired), held (a step could not be gated) or rolled back. The store keeps {@link #text()}.
 */
public enum BatchState {
    PENDING, RUNNING, PASSED, FAILED, HELD, ROLLED_BACK;

    /** {@code passed}, {@code rolled_back}: as stored. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BatchState parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
