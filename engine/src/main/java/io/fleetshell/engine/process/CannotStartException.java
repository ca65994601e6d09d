package io.fleetshell.engine.process;

import java.io.IOException;
import java.util.List;

/**
 * A child process that could not be started at all: the executable does not exist or is not executable, or
 * the working directory is missing. Nothing ran, so there is no {@link ProcessResult}; the message names the
 * program and the reason, for callers to put in front of the fix they suggest.
 */
public final class CannotStartException extends IOException {

    public CannotStartException(List<String> command, String reason, Throwable cause) {
        super("cannot start %s: %s".formatted(command.getFirst(), reason), cause);
    }
}
