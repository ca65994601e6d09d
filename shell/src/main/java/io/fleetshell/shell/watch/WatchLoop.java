package io.fleetshell.shell.watch;

import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Redraws the dashboard on a JLine terminal every interval until the user presses q (or Ctrl-C, or input
 * ends). The terminal is in raw mode meanwhile, so q needs no Enter, and on the alternate screen when it
 * has one; both, and the Ctrl-C handler, are restored however the loop ends.
 */
public final class WatchLoop {

    /** One cycle: scrape, store, and give the model to draw. */
    @FunctionalInterface
    public interface Cycle {
        WatchModel next();
    }

    /** Lines under the table that the frame needs besides the agent rows (header, totals, improvements, alerts, hint). */
    private static final int CHROME_LINES = 14;

    private WatchLoop() {
    }

    /** Runs until the user leaves; returns the number of frames drawn. */
    public static int run(Terminal terminal, Cycle cycle, Duration interval) {
        boolean fullScreen = !Terminal.TYPE_DUMB.equals(terminal.getType()) && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
        AtomicBoolean stop = new AtomicBoolean();
        Attributes saved = terminal.enterRawMode();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> stop.set(true));
        if (fullScreen) {
            terminal.puts(Capability.enter_ca_mode);
            terminal.puts(Capability.cursor_invisible);
        }
        int frames = 0;
        try {
            NonBlockingReader keys = terminal.reader();
            while (!stop.get()) {
                long started = System.nanoTime();
                WatchModel model = cycle.next();
                Size size = terminal.getSize();
                int columns = fullScreen ? size.getColumns() : 0;
                int rows = fullScreen && size.getRows() > CHROME_LINES ? size.getRows() - CHROME_LINES : 0;
                if (fullScreen) {
                    terminal.puts(Capability.clear_screen);
                } else if (frames > 0) {
                    terminal.writer().println();
                }
                terminal.writer().print(Dashboard.render(model, columns, rows, fullScreen));
                terminal.writer().println("q or Ctrl-C leaves");
                terminal.flush();
                frames++;
                long waitMillis = interval.toMillis() - (System.nanoTime() - started) / 1_000_000;
                // keys are read at least once a frame, so that q works with --interval 0 too
                do {
                    long before = System.nanoTime();
                    int key = keys.read(Math.max(1, Math.min(waitMillis, 200)));
                    if (key == 'q' || key == 'Q' || key == 3 || key == NonBlockingReader.EOF) {
                        stop.set(true);
                    }
                    waitMillis -= (System.nanoTime() - before) / 1_000_000;
                } while (!stop.get() && waitMillis > 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
            if (fullScreen) {
                terminal.puts(Capability.cursor_visible);
                terminal.puts(Capability.exit_ca_mode);
            }
            terminal.setAttributes(saved);
            terminal.flush();
        }
        return frames;
    }
}
