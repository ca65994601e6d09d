package io.fleetshell.engine.playbook;

import org.graalvm.polyglot.Context;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Watches one run from a thread of its own: stops it when it runs past its timeout or grows the heap
 * beyond its budget. The community sandbox has no heap limit, so memory is judged by the JVM's heap
 * after a collection: a playbook holding more than its budget is stopped before it can exhaust the
 * heap (garbage alone never stops a run, because the watchdog collects before it judges).
 */
final class Watchdog implements AutoCloseable {

    private static final Duration TICK = Duration.ofMillis(20);
    /** Full collections are requested at most this often, and only while the heap is over budget. */
    private static final long MIN_NANOS_BETWEEN_GCS = Duration.ofMillis(250).toNanos();

    private final Context context;
    private final RunControl control;
    private final PlaybookLimits limits;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final long startHeap;
    private final long deadline;
    private final Thread thread;
    private volatile boolean finished;
    private long lastGc;

    Watchdog(Context context, RunControl control, PlaybookLimits limits) {
        this.context = context;
        this.control = control;
        this.limits = limits;
        this.startHeap = memory.getHeapMemoryUsage().getUsed();
        this.deadline = System.nanoTime() + limits.timeout().toNanos();
        this.thread = Thread.ofPlatform().daemon().name("playbook-watchdog").start(this::watch);
    }

    private void watch() {
        boolean interrupted = false;
        while (!finished && !interrupted) {
            if (System.nanoTime() > deadline) {
                control.requestStop(new RunControl.StopReason(false,
                        "the playbook ran longer than its timeout of %s (playbook run --timeout sets it)"
                                .formatted(DurationText.format(limits.timeout()))));
            } else if (overBudget()) {
                control.requestStop(new RunControl.StopReason(true,
                        "the playbook held more than its memory budget of %d MiB".formatted(limits.heapBudgetBytes() >> 20)));
            }
            if (control.stopReason() != null && !control.inAction()) {
                interrupted = interrupt();
            }
            sleepTick();
        }
    }

    private boolean overBudget() {
        if (memory.getHeapMemoryUsage().getUsed() - startHeap <= limits.heapBudgetBytes()) {
            return false;
        }
        long now = System.nanoTime();
        if (now - lastGc < MIN_NANOS_BETWEEN_GCS) {
            return false;
        }
        lastGc = now;
        System.gc(); // garbage is not what the budget is about: judge what is still reachable
        return memory.getHeapMemoryUsage().getUsed() - startHeap > limits.heapBudgetBytes();
    }

    /** Interrupts the script (it cannot catch that); cancels the context if it does not stop in time. */
    private boolean interrupt() {
        try {
            context.interrupt(Duration.ofSeconds(5));
            return true;
        } catch (TimeoutException e) {
            context.close(true);
            return true;
        } catch (RuntimeException e) {
            return finished; // the run ended while being interrupted
        }
    }

    private void sleepTick() {
        try {
            Thread.sleep(TICK);
        } catch (InterruptedException e) {
            finished = true;
        }
    }

    @Override
    public void close() {
        finished = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
