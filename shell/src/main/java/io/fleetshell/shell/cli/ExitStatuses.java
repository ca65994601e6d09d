package io.fleetshell.shell.cli;

import io.fleetshell.engine.FleetshellException;
import org.springframework.core.convert.ConversionException;
import org.springframework.core.convert.ConversionFailedException;

/**
 * The one place where failures become exit statuses: 0 ok, 1 the operation failed or a gate held,
 * 2 bad input. Anything unexpected is a failure (1) reported as an internal error.
 */
public final class ExitStatuses {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    private ExitStatuses() {
    }

    /** A failure as the user sees it: the exit status and the message. */
    public record Failure(int status, String message, boolean internal) {
    }

    public static Failure of(Throwable error) {
        Throwable cause = unwrap(error);
        return switch (cause) {
            case FleetshellException e -> new Failure(e.code().exitStatus(), e.getMessage(), false);
            case ConversionFailedException e -> new Failure(BAD_INPUT,
                    "'%s' is not a valid %s".formatted(e.getValue(), describe(e.getTargetType().getType())), false);
            case ConversionException e -> new Failure(BAD_INPUT, e.getMessage(), false);
            case IllegalArgumentException e when e.getMessage() != null && e.getMessage().startsWith("Required option") ->
                    new Failure(BAD_INPUT, e.getMessage(), false);
            default -> new Failure(FAILED, "internal error: " + cause, true);
        };
    }

    private static String describe(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "whole number";
        }
        return type.getSimpleName().toLowerCase();
    }

    private static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while (current.getCause() != null && !(current instanceof FleetshellException)
                && !(current instanceof ConversionException)) {
            current = current.getCause();
        }
        return current;
    }
}
