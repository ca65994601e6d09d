package io.fleetshell.engine.proof;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one command to its end (or its timeout) with output in temporary files, so no pipe can fill and stall it. */
public record PythonProcess(int exitStatus, boolean timedOut, String stdout, String stderr) {

    public static PythonProcess run(List<String> command, Path directory, Map<String, String> environment, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("fleetshell-proof", ".out");
            err = Files.createTempFile("fleetshell-proof", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot start %s: %s. Nothing was changed."
                        .formatted(command.getFirst(), e.getMessage()));
            }
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
            return new PythonProcess(finished ? process.exitValue() : -1, !finished,
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "the proof was interrupted; nothing was changed");
        } finally {
            for (Path file : new Path[] {out, err}) {
                if (file != null) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException ignored) {
                        // a temporary file left behind is harmless
                    }
                }
            }
        }
    }

    /** The last non-blank line of stdout: where the helpers put their JSON report. */
    public String report() {
        String[] lines = stdout.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }

    public String tail(int max) {
        String text = (stdout + stderr).strip();
        return text.length() <= max ? text : "..." + text.substring(text.length() - max);
    }
}
