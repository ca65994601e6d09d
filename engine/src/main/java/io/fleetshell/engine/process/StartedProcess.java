package io.fleetshell.engine.process;

import java.time.Duration;

/**
 * A child started by {@link ProcessRun#start()} that runs until the caller stops it, such as an agent started only to
 * time its way to a first healthy answer. Closing it stops the whole process group (SIGTERM, then SIGKILL after a
 * grace) and deletes the files the run owns, so a caller in a try-with-resources never leaves the child behind.
 */
public final class StartedProcess implements AutoCloseable {

    /** How long a child gets to exit after SIGTERM before SIGKILL when closed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final ChildProcess<Void> child;
    private final Runnable cleanup;
    private boolean stopped;

    StartedProcess(ChildProcess<Void> child, Runnable cleanup) {
        this.child = child;
        this.cleanup = cleanup;
    }

    public long pid() {
        return child.process().pid();
    }

    public boolean alive() {
        return child.process().isAlive();
    }

    /** The exit status once the child has exited; waits for it otherwise. */
    public int waitFor() throws InterruptedException {
        return child.process().waitFor();
    }

    /** What the child printed so far (stdout then stderr, or both interleaved when merged), within the run's bounds. */
    public String output() {
        return child.output();
    }

    /**
     * Stops the process group (SIGTERM, SIGKILL after {@code grace}; through the run's {@link ProcessRun.Lifeline} when
     * it has one) and deletes the owned files; a second call does nothing. True when the child ended by itself within
     * the grace (on a second call: false), false when it was killed.
     */
    public synchronized boolean stop(Duration grace) {
        if (stopped) {
            return false;
        }
        stopped = true;
        try {
            return child.stop(grace);
        } finally {
            cleanup.run();
        }
    }

    @Override
    public void close() {
        stop(STOP_GRACE);
    }
}
