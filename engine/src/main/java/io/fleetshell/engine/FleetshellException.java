package io.fleetshell.engine;

/**
 * An error meant for the user: the message says what happened, what fixes it and whether anything
 * was changed. The code decides the exit status.
 */
public class FleetshellException extends RuntimeException {
    private final ErrorCode code;

    public FleetshellException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public FleetshellException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
