package io.fleetshell.engine;

/**
 * What a long phase of the engine reports while it runs, so that the shell can show it moves (a status line with
 * counts and the time it has taken); the engine itself never draws. A listener is bound to the thread that runs a
 * command ({@link #bind}); engine code reports through one-line static calls ({@link #update}, {@link #count},
 * {@link #end}) and {@link InParallel} carries the listener over to its workers. Each report names its task (an agent,
 * a step, the plan): tasks run side by side in a parallel profile, and each one's latest report replaces its earlier
 * one. With no listener bound (a test, a piped one-shot command, {@code --json}) reports go nowhere.
 */
public final class Progress {

    /** Receives reports, on the threads doing the work. */
    public interface Listener {

        /** {@code task} now does {@code what} ("proving: load 7/11 original, 6/11 rewrite"). */
        void update(String task, String what);

        /** {@code task} is over: it no longer shows. */
        void end(String task);

        /** True when reports are drawn as they come (a status line updated in place). */
        default boolean live() {
            return true;
        }
    }

    /** The end of a binding. */
    @FunctionalInterface
    public interface Binding extends AutoCloseable {
        @Override
        void close();
    }

    private static final ThreadLocal<Listener> CURRENT = new ThreadLocal<>();

    private Progress() {
    }

    /** Sends this thread's reports to {@code listener} until the binding closes (the previous one comes back). */
    public static Binding bind(Listener listener) {
        Listener previous = CURRENT.get();
        CURRENT.set(listener);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** This thread's listener, or null: what a worker thread binds to report for the thread that started it. */
    public static Listener current() {
        return CURRENT.get();
    }

    /** True when this thread's reports are drawn as they come: a caller may then skip printing the same as lines. */
    public static boolean live() {
        Listener listener = CURRENT.get();
        return listener != null && listener.live();
    }

    public static void update(Object task, String what) {
        Listener listener = CURRENT.get();
        if (listener != null) {
            listener.update(String.valueOf(task), what);
        }
    }

    /** {@code what done/total}: "load 3/5". */
    public static void count(Object task, String what, int done, int total) {
        update(task, "%s %d/%d".formatted(what, done, total));
    }

    public static void end(Object task) {
        Listener listener = CURRENT.get();
        if (listener != null) {
            listener.end(String.valueOf(task));
        }
    }
}
