package io.fleetshell.engine.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A started child of a {@link ProcessRun}: its output drains (or its stdout reader), its stdin writer, and the
 * signalling of its whole tree. The child leads a process group of its own when {@code ownGroup} is true, so a
 * signal to the group reaches every descendant that did not leave it. A child with a {@link ProcessRun.Lifeline} is
 * stopped through its stdin first, and signalled here only when that did not end it.
 */
final class ChildProcess<T> {

    /** After the child exits, how long its output may take to end (a background grandchild can hold the pipe open). */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(2);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    /**
     * Children not yet ended or stopped. Being in sessions of their own, they do not get the terminal's Ctrl-C: when
     * fleetshell exits (Ctrl-C included) a shutdown hook kills their trees, so none outlives the command that started it.
     */
    private static final Set<ChildProcess<?>> LIVE = ConcurrentHashMap.newKeySet();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(LIVE).forEach(ChildProcess::kill), "process-tree-reaper"));
        } catch (IllegalStateException shuttingDown) {
            // The first child of this JVM is started while it exits: the caller's own timeout or stop still applies.
        }
    }

    private final ProcessRun spec;
    private final Process process;
    private final long started;
    private final boolean ownGroup;
    private final BoundedOutput out;
    private final BoundedOutput err;
    private final List<Thread> drains = new ArrayList<>();
    private final CompletableFuture<T> read = new CompletableFuture<>();
    private final boolean readsStdout;
    /** The child's stdin when it is a lifeline, else null. */
    private final OutputStream lifeline;
    /** The stdin bytes are all written (a lifeline may then carry the grace after them). */
    private volatile boolean fed;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    ChildProcess(ProcessRun spec, Process process, long started, boolean ownGroup, ProcessRun.StdoutReader<T> reader) {
        this.spec = spec;
        this.process = process;
        this.started = started;
        this.ownGroup = ownGroup;
        this.out = new BoundedOutput(spec.stdoutLimit());
        this.err = new BoundedOutput(spec.stderrLimit());
        LIVE.add(this);
        Leftovers.started(process, ownGroup, spec.command(), spec.owned());
        readsStdout = reader != null;
        if (readsStdout) {
            Thread.ofVirtual().name("process-stdout-reader").start(() -> read(reader));
        }
        if (spec.outputFile() == null) {
            if (reader == null) {
                drains.add(Thread.ofVirtual().name("process-stdout").start(() -> out.drain(process.getInputStream())));
            }
            if (!spec.mergeErrors()) {
                drains.add(Thread.ofVirtual().name("process-stderr").start(() -> err.drain(process.getErrorStream())));
            }
        }
        byte[] stdin = spec.stdin();
        lifeline = spec.lifeline() == null ? null : process.getOutputStream();
        fed = stdin == null;
        if (stdin != null) {
            // Written from its own thread: input bigger than the pipe buffer would block us if the child stalls.
            Thread.ofVirtual().name("process-stdin").start(() -> {
                OutputStream input = process.getOutputStream();
                try {
                    input.write(stdin);
                    input.flush();
                    fed = true;
                    if (lifeline == null) {
                        input.close();
                    }
                } catch (IOException ignored) {
                    // The child exited without reading all of it; its exit status and output tell why.
                }
            });
        }
    }

    private void read(ProcessRun.StdoutReader<T> reader) {
        InputStream stdout = process.getInputStream();
        try {
            read.complete(reader.read(stdout));
        } catch (IOException | RuntimeException e) {
            read.completeExceptionally(e);
        }
        // Read to the end even after a failed read: a closed pipe would kill the child with SIGPIPE.
        try (stdout) {
            stdout.transferTo(OutputStream.nullOutputStream());
        } catch (IOException killed) {
            // The pipe closed when the process was killed.
        }
    }

    Process process() {
        return process;
    }

    /** What the child printed so far, stdout then stderr. */
    String output() {
        return out.text() + err.text();
    }

    /** Waits for the end or the timeout; on timeout or interrupt the whole tree is killed first. */
    ProcessRun.Streamed<T> await(Duration timeout) throws InterruptedException {
        try {
            long deadline = started + timeout.toNanos();
            boolean timedOut = !process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (timedOut) {
                end(Duration.ZERO);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            long drainDeadline = System.nanoTime() + DRAIN_GRACE.toNanos();
            for (Thread drain : drains) {
                drain.join(Duration.ofNanos(Math.max(1, drainDeadline - System.nanoTime())));
            }
            ProcessResult result = new ProcessResult(spec.command(), timedOut ? -1 : process.exitValue(), out.text(), err.text(), took,
                    timedOut, out.truncated() || err.truncated());
            if (!readsStdout) {
                return new ProcessRun.Streamed<>(result, null, null);
            }
            // The reader may still be parsing the last of the output: it gets what is left of the timeout, at least the grace.
            try {
                read.get(Math.max(DRAIN_GRACE.toNanos(), deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException told) {
                // The state below says which.
            }
            return switch (read.state()) {
                case SUCCESS -> new ProcessRun.Streamed<>(result, read.resultNow(), null);
                case FAILED -> new ProcessRun.Streamed<>(result, null, (Exception) read.exceptionNow());
                default -> new ProcessRun.Streamed<>(result, null, new IOException("its output did not end when the process did"));
            };
        } catch (InterruptedException e) {
            end(Duration.ZERO);
            throw e;
        } finally {
            LIVE.remove(this);
            Leftovers.ended(process);
        }
    }

    /**
     * Asks the tree to stop (SIGTERM), gives it {@code grace}, then kills what is left; a child with a lifeline is asked
     * through it first, and signalled only when it has not ended within the grace and the margin. An interrupt cuts the
     * grace short; the kill happens either way and the interrupt flag is set again. True when the child itself ended
     * within the grace, false when it had to be killed (what it meant to do on the way out may not have happened).
     */
    boolean stop(Duration grace) {
        if (lifeline != null) {
            if (release(grace)) {
                boolean ended = process.exitValue() != ProcessRun.Lifeline.KILLED;
                kill();
                LIVE.remove(this);
                Leftovers.ended(process);
                return ended;
            }
            spec.lifeline().fallback().stop(grace);
        }
        signal("-TERM", ProcessHandle::destroy);
        boolean interrupted = false;
        boolean ended = false;
        try {
            ended = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        kill();
        LIVE.remove(this);
        Leftovers.ended(process);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return ended;
    }

    /** After a timeout or an interrupt: the lifeline first when there is one, its fallback when that did not end the child, then the kill. */
    private void end(Duration grace) {
        if (lifeline != null && !release(grace)) {
            spec.lifeline().fallback().stop(grace);
        }
        kill();
    }

    /**
     * Closes the lifeline, the grace written on it first when the input is all written, and waits for the child to end
     * by itself within the grace and the margin. False when it has not, when the input was still being written (closing
     * the pipe then could wait on a child that stalls) or when the thread was interrupted meanwhile (the flag is set again).
     */
    private boolean release(Duration grace) {
        if (!fed) {
            return false;
        }
        if (released.compareAndSet(false, true)) {
            try (OutputStream out = lifeline) {
                out.write((Math.max(0, grace.toMillis() / 100) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            } catch (IOException ended) {
                // The child already ended and its stdin with it.
            }
        }
        try {
            return process.waitFor(grace.plus(spec.lifeline().margin()).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Kills the child's group and every descendant it has now, and waits (bounded) for the child to be gone. */
    void kill() {
        boolean interrupted = !signal("-KILL", ProcessHandle::destroyForcibly);
        interrupted |= !awaitQuietly(process);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends {@code signal} to the child's group, and {@code fallback} to each descendant and the child itself. The
     * descendants are listed first: once the group is signalled they may belong to init and no longer show as the
     * child's. False when the thread was interrupted while the signal was sent (it was sent anyway).
     */
    private boolean signal(String signal, java.util.function.Consumer<ProcessHandle> fallback) {
        List<ProcessHandle> descendants = process.descendants().toList();
        boolean sent = true;
        if (ownGroup) {
            try {
                Process kill = new ProcessBuilder(ProcessRun.KILL.orElseThrow().toString(), signal, "--", "-" + process.pid())
                        .redirectInput(ProcessBuilder.Redirect.from(ProcessRun.DEV_NULL)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                sent = awaitQuietly(kill);
            } catch (IOException e) {
                // The descendants below are signalled one by one instead.
            }
        }
        descendants.forEach(fallback);
        fallback.accept(process.toHandle());
        return sent;
    }

    /** Waits a bounded time for a signalled process; false when interrupted meanwhile. */
    private static boolean awaitQuietly(Process process) {
        try {
            process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
