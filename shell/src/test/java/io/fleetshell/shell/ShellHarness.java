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
     * terminal showed. The input goes through a pipe that stays open until the REPL returns: a stream
     * that ends at once makes JLine see end-of-file before the first line.
     */
    public Run interactive(String input) throws IOException {
        ConfigurableApplicationContext context = context();
        try (context; PipedOutputStream typing = new PipedOutputStream(); PipedInputStream keyboard = new PipedInputStream(typing, 1 << 16)) {
            typing.write(input.getBytes(StandardCharsets.UTF_8));
            typing.flush();
            ByteArrayOutputStream screen = new ByteArrayOutputStream();
            try (Terminal terminal = TerminalBuilder.builder().system(false)
                    .streams(keyboard, screen)
                    .type(Terminal.TYPE_DUMB).build()) {
                LineReader reader = LineReaderBuilder.builder().terminal(terminal)
                        .completer(context.getBean(io.fleetshell.shell.cli.FleetCompleter.class)).build();
                int status = context.getBean(FleetshellRunner.class).repl(reader);
                reader.getHistory().save();
                terminal.flush();
                return new Run(status, screen.toString(StandardCharsets.UTF_8), "");
            }
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
