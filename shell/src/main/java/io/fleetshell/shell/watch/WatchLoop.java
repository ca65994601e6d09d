package io.fleetshell.shell.watch;

import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Redraws the dashboard on a JLine terminal every interval until the user presses q (or Ctrl-C, or input ends), and at
 * once on every other key the {@link WatchView} takes (filter, sort, scroll, an agent's detail, the keys). The terminal
 * is in raw mode meanwhile, so keys need no Enter, and on the alternate screen when it has one; both, and the Ctrl-C
 * handler, are restored however the loop ends.
 */
public final class WatchLoop {

    /** One cycle: scrape, store, and give the model to draw. */
    @FunctionalInterface
    public interface Cycle {
        WatchModel next();
    }

    /** How long the rest of an escape sequence (an arrow key) may take to arrive after its ESC. */
    private static final long ESCAPE_WAIT_MILLIS = 50;

    private WatchLoop() {
    }

    /** Runs until the user leaves; returns the number of cycles drawn. */
    public static int run(Terminal terminal, Cycle cycle, Duration interval, WatchFacts facts) {
        boolean fullScreen = !Terminal.TYPE_DUMB.equals(terminal.getType()) && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
        AtomicBoolean stop = new AtomicBoolean();
        Attributes saved = terminal.enterRawMode();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> stop.set(true));
        if (fullScreen) {
            terminal.puts(Capability.enter_ca_mode);
            terminal.puts(Capability.cursor_invisible);
        }
        int frames = 0;
        WatchView view = new WatchView();
        try {
            NonBlockingReader keys = terminal.reader();
            while (!stop.get()) {
                long started = System.nanoTime();
                WatchModel model = cycle.next();
                frames++;
                draw(terminal, fullScreen, model, view, facts, frames > 1);
                long waitMillis = interval.toMillis() - (System.nanoTime() - started) / 1_000_000;
                // keys are read at least once a frame, so that q works with --interval 0 too
                do {
                    long before = System.nanoTime();
                    int c = keys.read(Math.max(1, Math.min(waitMillis, 200)));
                    if (c == 3 || c == NonBlockingReader.EOF) {
                        stop.set(true);
                    } else if (c >= 0) {
                        List<WatchModel.Row> rows = view.rows(model);
                        int page = page(terminal, fullScreen);
                        view.key(decode(c, keys), rows.size(), page, rows.isEmpty() ? null
                                : rows.get(Math.min(view.selected(), rows.size() - 1)).agent().toString());
                        if (view.quit()) {
                            stop.set(true);
                        } else {
                            draw(terminal, fullScreen, model, view, facts, true);
                        }
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

    private static int page(Terminal terminal, boolean fullScreen) {
        Size size = terminal.getSize();
        return fullScreen && size.getRows() > Dashboard.CHROME_LINES ? size.getRows() - Dashboard.CHROME_LINES : 0;
    }

    private static void draw(Terminal terminal, boolean fullScreen, WatchModel model, WatchView view, WatchFacts facts, boolean again) {
        int columns = fullScreen ? terminal.getSize().getColumns() : 0;
        int page = page(terminal, fullScreen);
        List<WatchModel.Row> rows = view.rows(model);
        view.keepInView(rows.size(), Math.max(1, page == 0 ? rows.size() : page));
        String text = switch (view.mode()) {
            case HELP -> Dashboard.help(columns, fullScreen);
            case DETAIL -> model.rows().stream().filter(r -> r.agent().toString().equals(view.detailOf())).findFirst()
                    .map(r -> Dashboard.detail(r, facts.detail(r.agent()), columns, fullScreen))
                    .orElse("%s is no longer watched%n".formatted(view.detailOf()));
            case TABLE, FILTER -> Dashboard.render(model, view, columns, page, fullScreen);
        };
        if (fullScreen) {
            terminal.puts(Capability.clear_screen);
        } else if (again) {
            terminal.writer().println();
        }
        terminal.writer().print(text);
        terminal.flush();
    }

    /** The key {@code c} starts, reading the rest of an escape sequence (arrows, PgUp/PgDn, Home/End) when it is one. */
    static WatchView.Key decode(int c, NonBlockingReader keys) throws IOException {
        return switch (c) {
            case '\r', '\n' -> WatchView.Key.Special.ENTER;
            case 127, 8 -> WatchView.Key.Special.BACKSPACE;
            case 27 -> escape(keys);
            default -> new WatchView.Key.Typed((char) c);
        };
    }

    private static WatchView.Key escape(NonBlockingReader keys) throws IOException {
        int next = keys.read(ESCAPE_WAIT_MILLIS);
        if (next != '[' && next != 'O') {
            return WatchView.Key.Special.ESCAPE;
        }
        int code = keys.read(ESCAPE_WAIT_MILLIS);
        return switch (code) {
            case 'A' -> WatchView.Key.Special.UP;
            case 'B' -> WatchView.Key.Special.DOWN;
            case 'H' -> WatchView.Key.Special.HOME;
            case 'F' -> WatchView.Key.Special.END;
            case '1', '4', '5', '6', '7', '8' -> {
                int tilde = keys.read(ESCAPE_WAIT_MILLIS);
                if (tilde != '~') {
                    yield WatchView.Key.Special.ESCAPE;
                }
                yield switch (code) {
                    case '5' -> WatchView.Key.Special.PAGE_UP;
                    case '6' -> WatchView.Key.Special.PAGE_DOWN;
                    case '1', '7' -> WatchView.Key.Special.HOME;
                    default -> WatchView.Key.Special.END;
                };
            }
            default -> WatchView.Key.Special.ESCAPE;
        };
    }
}
