package io.fleetshell.engine.rollout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One configured shell command ({@code test_command}, {@code restart_command}) run with {@code sh -c}
 * from the fleet root, with its output captured and a time limit.
 *
 * @param exitStatus the exit status, or -1 when it timed out or could not start
 * @param output     the last 2,000 characters of stdout and stderr together
 * @param millis     how long it ran
 */
public record CommandRun(String command, int exitStatus, String output, long millis) {

    public boolean ok() {
        return exitStatus == 0;
    }

    /** Replaces {@code {name}}, {@code {machine}} and {@code {script}} in a configured command. */
    public static String expand(String command, String name, String machine, String script) {
        return command.replace("{name}", name).replace("{machine}", machine).replace("{script}", script);
    }

    public static CommandRun run(String command, Path directory, Map<String, String> environment, Duration timeout) {
        long start = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            // Read on another thread: a chatty command would otherwise fill the pipe and never exit.
            StringBuilder captured = new StringBuilder();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    captured.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the process was killed; what was read so far is kept
                }
            });
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            reader.join(2_000);
            String output = tail(captured.toString());
            long millis = (System.nanoTime() - start) / 1_000_000;
            return finished ? new CommandRun(command, process.exitValue(), output, millis)
                    : new CommandRun(command, -1, output + "\n(killed after " + timeout.toSeconds() + " s)", millis);
        } catch (IOException e) {
            return new CommandRun(command, -1, "could not start: " + e.getMessage(), (System.nanoTime() - start) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandRun(command, -1, "interrupted", (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 2000 ? t : "..." + t.substring(t.length() - 2000);
    }
}
