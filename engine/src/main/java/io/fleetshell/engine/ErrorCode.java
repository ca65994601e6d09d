package io.fleetshell.engine;

/**
 * Every error fleetshell reports, with the process exit status it maps to.
 * Status 1 means the operation failed (or a gate held); status 2 means the input was bad.
 */
public enum ErrorCode {
    /** A command, option or value the user typed is not valid. */
    BAD_INPUT(2),
    /** An agent, machine or other named thing does not exist. */
    UNKNOWN_NAME(2),
    /** A file named on the command line does not exist or cannot be read. */
    FILE_NOT_FOUND(2),
    /** A startup config is not valid YAML or not a fleet config. */
    CONFIG_INVALID(2),
    /** A path leads outside the fleet root or FLEETSHELL_HOME. */
    PATH_ESCAPES_ROOT(2),
    /**
     * A playbook that cannot run as written: a syntax error, a misused {@code fleet} function, an unknown
     * parameter, or a script stopped for exceeding its statement or memory limit.
     */
    PLAYBOOK_INVALID(2),
    /** The operation ran and did not succeed. */
    OPERATION_FAILED(1),
    /** The history database could not be opened or written. */
    HISTORY_UNAVAILABLE(1);

    private final int exitStatus;

    ErrorCode(int exitStatus) {
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
