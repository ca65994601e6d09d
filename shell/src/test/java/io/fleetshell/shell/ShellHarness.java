package io.fleetshell.shell;

import io.fleetshell.shell.cli.FleetshellRunner;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs the real fleetshell application in-process against a given FLEETSHELL_HOME: one-shot with an
 * argv (capturing exit status, stdout and stderr), or the REPL over a JLine terminal fed from a string.
 */
public final class ShellHarness {

    /** What one run printed and returned. */
    public record Run(int status, String out, String err) {
    }

    private final Path home;

    public ShellHarness(Path home) {
        this.home = home;
    }

    /** The FLEETSHELL_HOME the runs use. */
    public Path home() {
        return home;
    }

    /** {@code fleetshell ARGS...} as a user would run it, in this JVM. */
    public synchronized Run oneShot(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            ConfigurableApplicationContext context = application().run(args);
            status = SpringApplication.exit(context);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The REPL fed with {@code input} (lines typed by a user, ending with quit); returns everything the
     * terminal showed. Like a person, the harness types each line only once the prompt for it is on the
     * screen: text typed ahead of a prompt races with JLine's reader.
     */
    public Run interactive(String input) throws IOException {
        ConfigurableApplicationContext context = context();
        try (context; PipedOutputStream typing = new PipedOutputStream(); PipedInputStream keyboard = new PipedInputStream(typing, 1 << 16)) {
            Screen screen = new Screen();
            try (Terminal terminal = TerminalBuilder.builder().system(false)
                    .streams(keyboard, screen)
                    .type(Terminal.TYPE_DUMB).build()) {
                LineReader reader = LineReaderBuilder.builder().terminal(terminal)
                        .completer(context.getBean(io.fleetshell.shell.cli.FleetCompleter.class)).build();
                Thread typist = Thread.ofVirtual().start(() -> {
                    List<String> lines = input.lines().toList();
                    for (int i = 0; i < lines.size(); i++) {
                        if (!screen.awaitPrompts(i + 1)) {
                            // No prompt came: end the input, so that the REPL ends and the test fails on what the
                            // screen shows instead of waiting for a line nobody will type.
                            closeQuietly(typing);
                            return;
                        }
                        try {
                            typing.write((lines.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
                            typing.flush();
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
                int status = context.getBean(FleetshellRunner.class).repl(reader);
                typist.interrupt();
                reader.getHistory().save();
                terminal.flush();
                return new Run(status, screen.text(), "");
            }
        }
    }

    private static void closeQuietly(java.io.OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** What the terminal shows, and a way to wait until the REPL has prompted n times. */
    private static final class Screen extends ByteArrayOutputStream {
        /** The REPL's prompt, and a command's own yes/no question, which waits for a typed line too. */
        private static final String PROMPT = "fleetshell> |\\[y/N\\] ";

        synchronized String text() {
            return toString(StandardCharsets.UTF_8);
        }

        synchronized boolean awaitPrompts(int n) {
            // A prompt comes back as soon as the command before it ends; the limit only bounds a hang (a deploy in a
            // REPL test takes seconds on a quiet machine).
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(300);
            while (text().split(PROMPT, -1).length - 1 < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public synchronized void write(int b) {
            super.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            notifyAll();
        }
    }

    /** A started application context that has run no command, for tests of its beans. */
    public ConfigurableApplicationContext context() {
        SpringApplication app = application();
        app.setDefaultProperties(Map.of("fleetshell.home", home.toString(), "fleetshell.runner.enabled", "false"));
        return app.run();
    }

    private SpringApplication application() {
        SpringApplication app = FleetshellApplication.application();
        app.setDefaultProperties(Map.of("fleetshell.home", home.toString()));
        return app;
    }
}
