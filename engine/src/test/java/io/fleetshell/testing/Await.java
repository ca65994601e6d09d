package io.fleetshell.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting in tests: on an event (a line a process prints, a condition that becomes true), never a fixed sleep,
 * and always with a limit, so that a hang fails the test within that limit with a message saying what did not
 * happen, instead of blocking the build. Limits are meant to be generous (5x or more what the step takes on a
 * loaded machine); the wait ends as soon as the event happens.
 */
public final class Await {

    private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
    private static final Duration LONGEST_PAUSE = Duration.ofMillis(250);

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails with {@code what} after {@code within}. */
    public static void until(String what, Duration within, BooleanSupplier condition) {
        value(what, within, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /** Polls {@code poll} until it gives a value; fails with {@code what} after {@code within}. */
    public static <T> T value(String what, Duration within, Supplier<Optional<T>> poll) {
        long deadline = System.nanoTime() + within.toNanos();
        Duration pause = FIRST_PAUSE;
        while (true) {
            Optional<T> value = poll.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within.toSeconds() + " s waiting for " + what);
            }
            sleep(pause);
            pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        }
    }

    /**
     * Reads the process's standard output until a line contains {@code text}, and returns that line.
     * Fails, naming the output, when the process ends first or nothing matches within {@code within} (the process
     * is then left to the caller to stop).
     */
    public static String line(Process process, String text, Duration within) {
        StringBuilder seen = new StringBuilder();
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            try {
                for (String line; (line = reader.readLine()) != null; ) {
                    if (found.isDone()) {
                        continue; // keep draining, so that a chatty process never blocks on a full pipe
                    }
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                    if (line.contains(text)) {
                        found.complete(line);
                    }
                }
            } catch (IOException e) {
                // the stream closed: the process is gone
            }
            found.complete(null);
        });
        try {
            String line = found.get(within.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("the process ended before printing '" + text + "'; its output:\n" + text(seen));
            }
            return line;
        } catch (TimeoutException e) {
            throw new AssertionError("no line with '" + text + "' within " + within.toSeconds() + " s; output so far:\n"
                    + text(seen));
        } catch (ExecutionException e) {
            throw new AssertionError("reading the process's output failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for '" + text + "'", e);
        }
    }

    /** Waits for the process to exit; fails (after killing it) when it has not within {@code within}. */
    public static int exit(Process process, Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("process " + process.pid() + " did not exit within " + within.toSeconds() + " s (killed)");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for process " + process.pid(), e);
        }
    }

    private static String text(StringBuilder seen) {
        synchronized (seen) {
            return seen.toString();
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
