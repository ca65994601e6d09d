package io.fleetshell.engine.process;

import java.time.Duration;
import java.util.List;

/**
 * How a {@link ProcessRun} ended. The output is what the run kept of it: all of it up to its bound, beyond that
 * the head and the tail around a line that says how much was left out ({@code truncated} is then true).
 *
 * @param command    the argument list that ran (with {@code sh -c} for a shell command line)
 * @param exitStatus the exit status, or -1 when the run timed out and was killed
 * @param stdout     standard output (with standard error in it when the run merged them; empty when it went to a file)
 * @param stderr     standard error (empty when merged into stdout)
 * @param duration   from the start to the end of the process, including the kill after a timeout
 * @param timedOut   true when the timeout passed and the whole process group was killed
 * @param truncated  true when either stream outgrew its bound
 */
public record ProcessResult(List<String> command, int exitStatus, String stdout, String stderr, Duration duration,
                            boolean timedOut, boolean truncated) {

    public ProcessResult {
        command = List.copyOf(command);
    }

    /** Exited on its own with status 0. */
    public boolean ok() {
        return !timedOut && exitStatus == 0;
    }

    /** The last non-blank line of stdout: where fleetshell's Python helpers put their JSON report. */
    public String report() {
        List<String> lines = stdout.lines().filter(line -> !line.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.getLast().strip();
    }

    /** The last {@code max} characters of stdout and stderr together, for a message. */
    public String tail(int max) {
        String text = (stdout + stderr).strip();
        return text.length() <= max ? text : "..." + text.substring(text.length() - max);
    }
}
