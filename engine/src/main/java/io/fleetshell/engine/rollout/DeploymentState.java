package io.fleetshell.engine.rollout;

import java.util.Locale;

/**
 * Where a deployment stands. {@code RUNNING} means a process is executing it; {@code HELD} and {@code STOPPED}
 * wait for a person ({@code deploy resume}, {@code rollback}); the others are final. The store keeps
 * {@link #text()} ({@code rolled_back}), the form {@code --json} prints too.
 */
public enum DeploymentState {
    RUNNING, COMPLETED, STOPPED, HELD, ABORTED, ROLLED_BACK, RECOVERED;

    /** {@code completed}, {@code rolled_back}: as stored and as {@code --json} prints it. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code rolled back}: as sentences say it. */
    public String words() {
        return text().replace('_', ' ');
    }

    /**
     * The state and the deployment's summary as one phrase, the state said once: {@code stopped at batch 2: ...} rather
     * than {@code stopped: stopped at batch 2: ...} when the summary already starts with it.
     */
    public String with(String summary) {
        if (summary == null || summary.isBlank()) {
            return words();
        }
        return summary.toLowerCase(Locale.ROOT).startsWith(words()) ? summary : words() + ": " + summary;
    }

    public static DeploymentState parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
