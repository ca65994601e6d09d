package io.fleetshell.shell.cli;

import io.fleetshell.engine.FleetHome;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Where the stack trace of an internal error goes: appended to {@code FLEETSHELL_HOME/logs/fleetshell-errors.log},
 * never onto the user's terminal unless they ask with {@code --debug}. The user sees one line: the error and
 * where its detail is.
 */
final class ErrorLog {

    private static final long MAX_BYTES = 1 << 20;

    private final FleetHome home;

    ErrorLog(FleetHome home) {
        this.home = home;
    }

    Path file() {
        return home.logs().resolve("fleetshell-errors.log");
    }

    /** Stores the trace; returns what the error message should add (where the trace is). */
    String record(String commandLine, Throwable error, boolean debug, Output output) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        if (debug) {
            output.info(trace.toString().stripTrailing());
        }
        Path file = file();
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file) && Files.size(file) > MAX_BYTES) {
                Files.move(file, file.resolveSibling("fleetshell-errors.log.1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(file, "%s %s%n%s%n".formatted(Instant.now(), commandLine, trace), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return debug ? " (also in " + file + ")" : " (the stack trace is in " + file + "; --debug prints it)";
        } catch (IOException | RuntimeException e) {
            return debug ? "" : " (run it again with --debug for the stack trace)";
        }
    }
}
