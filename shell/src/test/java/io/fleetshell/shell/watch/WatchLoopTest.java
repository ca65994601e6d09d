package io.fleetshell.shell.watch;

import io.fleetshell.testing.Await;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The live loop on a JLine terminal: redraws every interval, leaves on q, restores the terminal. */
class WatchLoopTest {

    private static WatchModel frame(int cycle) {
        return new WatchModel(Instant.now(), cycle, Duration.ofMillis(100), "test", Duration.ZERO, Duration.ZERO, List.of(), io.fleetshell.engine.compare.Thresholds.defaults());
    }

    @Test
    void redrawsUntilQAndRestoresTheTerminal() throws Exception {
        Keyboard keyboard = new Keyboard();
        try (ByteArrayOutputStream screen = new ByteArrayOutputStream();
             Terminal terminal = TerminalBuilder.builder().system(false).streams(keyboard, screen).type("xterm-256color").build()) {
            Attributes before = new Attributes(terminal.getAttributes());
            AtomicInteger cycles = new AtomicInteger();
            WatchLoop.Cycle cycle = () -> {
                int n = cycles.incrementAndGet();
                if (n == 3) {
                    keyboard.type('q');
                }
                return frame(n);
            };
            long start = System.nanoTime();
            int frames = WatchLoop.run(terminal, cycle, Duration.ofMillis(100));
            assertThat(frames).isEqualTo(3);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(terminal.getAttributes().getLocalFlags()).isEqualTo(before.getLocalFlags());
            // The alternate screen is entered and left when the terminal has one (terminfo). The terminal hands its
            // output to the stream on a thread of its own, so the last frame and the exit from the alternate screen
            // can reach the stream after run() returned (issue 22: 'cycle 3' missing in 87 of 200 runs under load,
            // there a moment later in every one): wait for them.
            boolean alternateScreen = terminal.getStringCapability(org.jline.utils.InfoCmp.Capability.enter_ca_mode) != null;
            Await.until("the third frame (and the exit from the alternate screen) on the screen", Duration.ofSeconds(30), () -> {
                String text = screen.toString(StandardCharsets.UTF_8);
                return text.contains("cycle 3,") && (!alternateScreen || text.contains("\u001b[?1049l"));
            });
            String shown = screen.toString(StandardCharsets.UTF_8);
            assertThat(shown).contains("cycle 1,", "cycle 2,", "cycle 3,", "q or Ctrl-C leaves");
            if (alternateScreen) {
                assertThat(shown).startsWith("\u001b[?1049h");
            }
        }
    }

    @Test
    void ctrlCLeavesToo() throws Exception {
        try (ByteArrayOutputStream screen = new ByteArrayOutputStream();
             Terminal terminal = TerminalBuilder.builder().system(false).streams(new Keyboard(), screen).type("xterm-256color").build()) {
            AtomicInteger cycles = new AtomicInteger();
            int frames = WatchLoop.run(terminal, () -> {
                if (cycles.incrementAndGet() == 2) {
                    terminal.raise(Terminal.Signal.INT);
                }
                return frame(cycles.get());
            }, Duration.ofMillis(50));
            assertThat(frames).isEqualTo(2);
        }
    }

    /** Keys typed by the test; reading blocks until one is typed, as a real keyboard does. */
    private static final class Keyboard extends InputStream {
        private final LinkedBlockingQueue<Integer> keys = new LinkedBlockingQueue<>();

        void type(char c) {
            keys.add((int) c);
        }

        @Override
        public int read() {
            try {
                return keys.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }
}
