package io.fleetshell.shell.cli;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What Ctrl-C does while a command runs, in the REPL and one-shot mode alike: it interrupts the thread running the
 * command, which kills the child processes it waits for ({@code engine/process} kills their trees on an interrupt) and
 * unwinds through the {@code finally} blocks that remove its temporary files. A command doing a unit of work that
 * must not be cut in half (a deployment's step) asks for Ctrl-C to {@linkplain #finishFirst wait for its end}: the
 * first press then only {@linkplain #stopRequested requests} a stop there, the second interrupts. Pressed again while
 * the command still does not stop, fleetshell exits with status 130 (its shutdown hook kills every child tree), as a
 * last resort. The signal itself is caught by the runner (the REPL's terminal, or the JVM's handler in one-shot mode),
 * which calls {@link #press}. One per {@link io.fleetshell.shell.ShellSession}.
 */
public final class CommandInterrupts {

    /** The status of a command stopped by Ctrl-C, as shells report a process killed by SIGINT (128 + 2). */
    public static final int STATUS = 130;
    /** Presses beyond the ones the command gets to stop (one, or two when it finishes a unit first) that end fleetshell. */
    private static final int PATIENCE = 2;

    private final AtomicInteger presses = new AtomicInteger();
    private volatile Thread running;
    private volatile String finishing;
    private volatile boolean awaited;
    private volatile Consumer<String> notices = message -> { };
    private volatile Runnable leave = () -> {
        System.err.println("fleetshell: the command did not stop; leaving (status 130)");
        System.exit(STATUS);
    };
    private int depth;

    /** Where the notices a press prints go (the REPL's terminal, or stderr). */
    public void notices(Consumer<String> sink) {
        this.notices = sink;
    }

    /** What the last press does when the command does not stop (tests replace exiting the JVM). */
    public void onGivingUp(Runnable action) {
        this.leave = action;
    }

    /**
     * Marks the calling thread as running a command until the scope closes. Nested commands (a script's lines) share
     * the outermost one's presses: Ctrl-C stops the whole script. Closing the outermost scope clears the thread's
     * interrupt flag, so that the REPL reads the next line undisturbed.
     */
    public synchronized Scope enter() {
        if (depth++ == 0) {
            presses.set(0);
            finishing = null;
            awaited = false;
            running = Thread.currentThread();
        }
        return this::exit;
    }

    private synchronized void exit() {
        if (--depth == 0) {
            running = null;
            finishing = null;
            Thread.interrupted();
        }
    }

    /** One Ctrl-C. Without a running command (at the REPL's prompt JLine handles it) it does nothing. */
    public void press() {
        Thread thread = running;
        if (thread == null) {
            return;
        }
        int n = presses.incrementAndGet();
        String unit = finishing;
        int stops = unit == null ? 1 : 2;
        if (n > stops + PATIENCE - 1) {
            leave.run();
            return;
        }
        if (n < stops) {
            notices.accept("stopping after %s; Ctrl-C again stops it now".formatted(unit));
            return;
        }
        if (n > stops || !awaited) {
            notices.accept(n == stops ? "stopping..." : "still stopping; Ctrl-C once more leaves fleetshell");
        }
        thread.interrupt();
    }

    /** True once Ctrl-C was pressed during the running command. */
    public boolean pressed() {
        return presses.get() > 0;
    }

    /**
     * The running command ends with Ctrl-C by design ({@code agents logs -f}): its stop is announced by no message. The
     * exit status is still 130, as {@code tail -f} has.
     */
    public void awaitCtrlC() {
        awaited = true;
    }

    /** True when the command stopped on Ctrl-C as it expected to: nothing to explain. */
    public boolean awaited() {
        return awaited;
    }

    /** True when Ctrl-C asked the command to stop at the end of the unit it is finishing (or sooner). */
    public boolean stopRequested() {
        return pressed();
    }

    /**
     * From now until {@link #finished()}, the first Ctrl-C waits for the end of {@code unit} ("the running step"): the
     * command checks {@link #stopRequested()} there. A press before this call interrupts as usual.
     */
    public void finishFirst(String unit) {
        if (running != null) {
            finishing = unit;
        }
    }

    /** Ctrl-C interrupts at once again. */
    public void finished() {
        finishing = null;
    }

    /** The end of a command's run, however it ends. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
