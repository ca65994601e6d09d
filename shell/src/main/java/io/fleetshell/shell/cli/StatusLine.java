package io.fleetshell.shell.cli;

import io.fleetshell.engine.Progress;

import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The line at the bottom of a terminal that shows a long phase moves: a spinner, what each running task does now
 * (as the engine reports it through {@link Progress}) and how long the phase has taken, redrawn in place a few times a
 * second on stderr, e.g. {@code | mainpc/TutorAgent: proving: load 7/11 original, 6/11 rewrite, 12 s}. It shows only
 * once a phase has lasted about a second, and only on a terminal: the runner makes none when stderr is piped, the
 * dispatcher binds none for {@code --json}. Every other line the command prints goes through {@link #around}, which
 * erases the status line first, so the two never mix; the next tick draws it again below.
 */
public final class StatusLine implements Progress.Listener {

    private static final Duration SHOW_AFTER = Duration.ofSeconds(1);
    private static final Duration TICK = Duration.ofMillis(200);
    private static final String SPINNER = "|/-\\";
    private static final String ERASE = "\r\u001b[K";

    private final PrintWriter terminal;
    private final IntSupplier width;
    private final Map<String, String> tasks = new LinkedHashMap<>();
    private long phaseStarted;
    private boolean drawn;
    private int frame;
    private int paused;
    private Thread ticker;

    /**
     * @param terminal where the line is drawn (stderr on a terminal)
     * @param width    the terminal's width now: the line is cut to fit, so that it never wraps
     */
    public StatusLine(PrintWriter terminal, IntSupplier width) {
        this.terminal = terminal;
        this.width = width;
    }

    /** True when {@code /proc/self/fd/2} (stderr) is a terminal and TERM is not {@code dumb}. */
    public static boolean stderrIsATerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public synchronized void update(String task, String what) {
        if (tasks.isEmpty()) {
            phaseStarted = System.nanoTime();
        }
        tasks.remove(task);
        tasks.put(task, what);
        if (ticker == null) {
            ticker = Thread.ofPlatform().daemon().name("status-line").start(this::tick);
        }
    }

    @Override
    public synchronized void end(String task) {
        tasks.remove(task);
        if (tasks.isEmpty()) {
            erase();
        }
    }

    /** The command ended: nothing of it stays on the screen. */
    public synchronized void clear() {
        tasks.clear();
        erase();
    }

    /** While a question waits for an answer, the line stays away from it. */
    public synchronized void pause() {
        paused++;
        erase();
    }

    public synchronized void resume() {
        paused--;
    }

    /** A writer that erases the status line before each write to {@code target}, for the command's own output. */
    public PrintWriter around(PrintWriter target) {
        return new PrintWriter(new Writer() {
            @Override
            public void write(char[] buffer, int offset, int length) {
                synchronized (StatusLine.this) {
                    erase();
                    target.write(buffer, offset, length);
                }
            }

            @Override
            public void flush() {
                target.flush();
            }

            @Override
            public void close() {
                target.flush();
            }
        });
    }

    private void tick() {
        while (true) {
            try {
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                return;
            }
            draw();
        }
    }

    private synchronized void draw() {
        long elapsed = System.nanoTime() - phaseStarted;
        if (paused > 0 || tasks.isEmpty() || elapsed < SHOW_AFTER.toNanos()) {
            return;
        }
        List<String> newestFirst = new ArrayList<>(tasks.entrySet().stream().map(StatusLine::describe).toList()).reversed();
        String text = SPINNER.charAt(frame++ % SPINNER.length()) + " " + String.join(" | ", newestFirst);
        String time = ", " + Duration.ofNanos(elapsed).toSeconds() + " s";
        int room = Math.max(20, width.getAsInt() - 1);
        if (text.length() + time.length() > room) {
            text = text.substring(0, Math.max(0, room - time.length() - 3)) + "...";
        }
        terminal.print(ERASE + text + time);
        terminal.flush();
        drawn = true;
    }

    /** A task named by an agent says so; the others ("plan", "step", "wait") speak for themselves. */
    private static String describe(Map.Entry<String, String> task) {
        return task.getKey().contains("/") ? task.getKey() + ": " + task.getValue() : task.getValue();
    }

    private void erase() {
        if (drawn) {
            terminal.print(ERASE);
            terminal.flush();
            drawn = false;
        }
    }
}
