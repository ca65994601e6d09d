package io.fleetshell.engine.playbook;

import java.time.Duration;

/**
 * How a playbook run ended, with the exit status an unattended run reports: 0 all done, 1 stopped by a
 * gate, a policy, {@code fleet.stop} or the timeout, 2 a bad playbook or parameters.
 */
public sealed interface PlaybookOutcome {

    /** One sentence for people; for a failure it starts with {@code file:line}. */
    String message();

    int exitStatus();

    Duration took();

    /** {@code completed}, {@code stopped} or {@code failed}: the word the journal and {@code --json} use. */
    default String label() {
        return switch (this) {
            case Completed c -> "completed";
            case Stopped s -> "stopped";
            case Failed f -> "failed";
        };
    }

    /** The script ran to its end. */
    record Completed(Duration took) implements PlaybookOutcome {
        @Override
        public String message() {
            return "completed in " + DurationText.format(took);
        }

        @Override
        public int exitStatus() {
            return 0;
        }
    }

    /**
     * Stopped on purpose: a gate held or failed, a policy said stop, the script called {@code fleet.stop},
     * an action failed, or the run took longer than its timeout.
     *
     * @param line the playbook line it stopped at, or 0
     */
    record Stopped(String message, int line, Duration took) implements PlaybookOutcome {
        @Override
        public int exitStatus() {
            return 1;
        }
    }

    /**
     * The playbook cannot run as written: a syntax or runtime error, a fleet function called wrongly, or a
     * statement or memory limit exceeded.
     *
     * @param line the playbook line it failed at, or 0
     */
    record Failed(String message, int line, Duration took) implements PlaybookOutcome {
        @Override
        public int exitStatus() {
            return 2;
        }
    }
}
