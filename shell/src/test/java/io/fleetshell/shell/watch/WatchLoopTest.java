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
            int frames = WatchLoop.run(terminal, cycle, Duration.ofMillis(100), WatchFacts.NONE);
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
            }, Duration.ofMillis(50), WatchFacts.NONE);
            assertThat(frames).isEqualTo(2);
        }
    }

    @Test
    void keysSortFilterOpenAnAgentsDetailAndShowTheKeys() throws Exception {
        Keyboard keyboard = new Keyboard();
        WatchFacts facts = new WatchFacts() {
            @Override
            public java.util.Optional<Double> timeToHealthySeconds(io.fleetshell.engine.inventory.AgentId agent) {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<Change> change(io.fleetshell.engine.inventory.AgentId agent, List<P95> recent) {
                return java.util.Optional.empty();
            }

            @Override
            public Detail detail(io.fleetshell.engine.inventory.AgentId agent) {
                return new Detail(List.of("12:00:01  ok  3 ms  http://x/metrics"), List.of("11:59:00  spawn  healthy in 900 ms"), List.of(),
                        "/logs/" + agent.name() + ".log", List.of("last log line of " + agent.name()));
            }
        };
        List<WatchModel.Row> rows = List.of(row("mainpc", "TutorAgent"), row("pc2", "AsyncProcessor"), row("pc2", "CacheManager"));
        try (ByteArrayOutputStream screen = new ByteArrayOutputStream();
             Terminal terminal = TerminalBuilder.builder().system(false).streams(keyboard, screen).type("xterm-256color").build()) {
            AtomicInteger cycles = new AtomicInteger();
            int frames = WatchLoop.run(terminal, () -> {
                int n = cycles.incrementAndGet();
                switch (n) {
                    case 1 -> keyboard.type("s/Tut\r\r"); // sort by agent, filter on "Tut", open the one row left
                    case 2 -> keyboard.type("\u001b"); // back to the table (alone: an ESC not followed by '[')
                    case 3 -> keyboard.type("?");
                    case 4 -> keyboard.type("xq"); // any key closes the help; q leaves
                    default -> {
                    }
                }
                return new WatchModel(Instant.now(), n, Duration.ofMillis(100), "test", Duration.ZERO, Duration.ZERO, rows,
                        io.fleetshell.engine.compare.Thresholds.defaults());
            }, Duration.ofMillis(200), facts);
            assertThat(frames).isEqualTo(4);
            Await.until("the last screen", Duration.ofSeconds(30), () -> screen.toString(StandardCharsets.UTF_8).contains("any key goes back"));
            String shown = screen.toString(StandardCharsets.UTF_8);
            assertThat(shown).contains("s sort: agent", "filter: /Tut_", "filter: /Tut   (/ changes it, Esc clears it)", "start history:",
                    "11:59:00  spawn  healthy in 900 ms", "log /logs/TutorAgent.log:", "last log line of TutorAgent",
                    "fleetshell watch: keys", "Enter detail   ? keys");
            assertThat(shown).doesNotContain("last log line of AsyncProcessor");
        }
    }

    private static WatchModel.Row row(String machine, String name) {
        return new WatchModel.Row(new io.fleetshell.engine.inventory.AgentId(machine, name), WatchModel.Status.UP, "", Double.NaN, 0.01,
                List.of(), 3, 0, null, List.of());
    }

    /** Keys typed by the test; reading blocks until one is typed, as a real keyboard does. */
    private static final class Keyboard extends InputStream {
        private final LinkedBlockingQueue<Integer> keys = new LinkedBlockingQueue<>();

        void type(char c) {
            keys.add((int) c);
        }

        void type(String text) {
            text.chars().forEach(keys::add);
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
