package io.fleetshell.engine.playbook;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The stop signal between a run's watchdog and its fleet calls. The watchdog asks for a stop (timeout,
 * memory); a sleeping script wakes at once, and a script inside a fleet action is left to finish that
 * action first: the watchdog interrupts the script only outside actions, so a stop never leaves a
 * deploy or a rollback half done.
 */
final class RunControl {

    /** Why the watchdog stopped the run. */
    record StopReason(boolean badPlaybook, String message) {
    }

    private final AtomicInteger actionDepth = new AtomicInteger();
    private volatile StopReason stop;

    StopReason stopReason() {
        return stop;
    }

    synchronized void requestStop(StopReason reason) {
        if (stop == null) {
            stop = reason;
        }
        notifyAll();
    }

    boolean inAction() {
        return actionDepth.get() > 0;
    }

    /** Runs a fleet call the watchdog must not interrupt. */
    <T> T action(Supplier<T> call) {
        actionDepth.incrementAndGet();
        try {
            return call.get();
        } finally {
            actionDepth.decrementAndGet();
        }
    }

    /**
     * Runs script code called back from inside an action (a deploy's batch policy) as interruptible again: a
     * policy runs between two batches, where a stop leaves nothing half done, and a runaway one must stay stoppable.
     */
    <T> T outsideAction(Supplier<T> call) {
        int depth = actionDepth.getAndSet(0);
        try {
            return call.get();
        } finally {
            actionDepth.addAndGet(depth);
        }
    }

    /** Waits for {@code duration}, or until a stop is requested; returns false when woken by a stop. */
    synchronized boolean sleep(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (stop == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
