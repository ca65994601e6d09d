package io.fleetshell.shell.cli;

import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.commands.FirstStart;
import io.fleetshell.shell.commands.LeftoverSweep;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * Replaces Spring Shell's runner (same bean name), whose one-shot mode in 4.0.1 loses argv boundaries
 * and always exits 0: without arguments it runs the REPL, with arguments it runs that one command
 * from the original argv and reports the command's exit status to Spring Boot.
 */
@Component("springShellApplicationRunner")
public class FleetshellRunner implements ApplicationRunner, ExitCodeGenerator {

    private final CommandDispatcher dispatcher;
    private final ShellSession session;
    private final ObjectProvider<LineReader> lineReader;
    private final FirstStart firstStart;
    private final LeftoverSweep leftovers;
    private final boolean enabled;
    private String swept;
    private int exitCode;

    public FleetshellRunner(CommandDispatcher dispatcher, ShellSession session, ObjectProvider<LineReader> lineReader,
                            FirstStart firstStart, LeftoverSweep leftovers, @Value("${fleetshell.runner.enabled:true}") boolean enabled) {
        this.leftovers = leftovers;
        this.dispatcher = dispatcher;
        this.session = session;
        this.lineReader = lineReader;
        this.firstStart = firstStart;
        this.enabled = enabled;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!enabled) {
            return; // a context started for its beans alone, as tests do
        }
        String[] argv = args.getSourceArgs();
        swept = leftovers.atStart(List.of(argv));
        if (argv.length == 0) {
            exitCode = repl(lineReader.getObject());
        } else {
            Output output = oneShotOutput(session.environment(), stdoutIsTerminal(session.environment()));
            if (swept != null) {
                output.warn(swept);
            }
            exitCode = dispatcher.execute(conventional(List.of(argv)), output, false);
        }
    }

    /** {@code fleetshell --help}, {@code -h} and {@code --version} as every command-line tool takes them. */
    static List<String> conventional(List<String> argv) {
        return switch (argv.getFirst()) {
            case "--help", "-h" -> argv.size() == 1 ? List.of("help") : argv.subList(1, argv.size()).stream()
                    .collect(java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), rest -> {
                        rest.addFirst("help");
                        return rest;
                    }));
            case "--version" -> List.of("version");
            default -> argv;
        };
    }

    /**
     * Where one-shot output goes and how it looks: colour only when stdout is a terminal and neither
     * {@code NO_COLOR} nor {@code TERM=dumb} says otherwise; tables as wide as {@code COLUMNS}, else as the
     * terminal (the launcher measures it), else without limit (a pipe or a file).
     */
    static Output oneShotOutput(Map<String, String> environment, boolean stdoutIsTerminal) {
        boolean ansi = stdoutIsTerminal && colourAllowed(environment);
        int width = columns(environment.get("COLUMNS"));
        if (width == 0 && stdoutIsTerminal) {
            width = columns(environment.get("FLEETSHELL_COLUMNS"));
            width = width == 0 ? 80 : width;
        }
        int columns = width;
        return new Output(new PrintWriter(System.out, true), new PrintWriter(System.err, true), ansi, () -> columns, Output.Format.TEXT);
    }

    /** {@code NO_COLOR} (any value, see no-color.org) and {@code TERM=dumb} turn colour off, in the REPL too. */
    static boolean colourAllowed(Map<String, String> environment) {
        String noColor = environment.get("NO_COLOR");
        return (noColor == null || noColor.isEmpty()) && !"dumb".equals(environment.get("TERM"));
    }

    private static int columns(String text) {
        if (text == null || !text.strip().matches("\\d{1,5}")) {
            return 0;
        }
        return Integer.parseInt(text.strip());
    }

    /** The launcher says whether stdout is a terminal ({@code [ -t 1 ]}); run without it, the JDK's console tells. */
    private static boolean stdoutIsTerminal(Map<String, String> environment) {
        String fromLauncher = environment.get("FLEETSHELL_STDOUT_TTY");
        if (fromLauncher != null) {
            return fromLauncher.equals("1");
        }
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }

    /** The interactive loop; returns 0 when the user quits. */
    public int repl(LineReader reader) {
        Terminal terminal = reader.getTerminal();
        boolean ansi = !Terminal.TYPE_DUMB.equals(terminal.getType()) && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())
                && colourAllowed(session.environment());
        Output output = new Output(terminal.writer(), terminal.writer(), ansi, terminal::getWidth, Output.Format.TEXT);
        loadHistory(reader, output);
        session.console(reader::readLine);
        output.info(output.bold("fleetshell") + " - home " + session.home().root()
                + ". TAB completes, Ctrl-R searches history, help lists commands, quit leaves.");
        if (swept != null) {
            output.warn(swept);
        }
        firstStart.greet(words -> dispatcher.execute(words, output, true), output);
        String prompt = ansi ? "\u001b[36mfleetshell\u001b[0m> " : "fleetshell> ";
        while (true) {
            String line;
            try {
                line = reader.readLine(prompt);
            } catch (UserInterruptException e) {
                continue; // Ctrl-C clears the line, as in bash
            } catch (EndOfFileException e) {
                return ExitStatuses.OK;
            }
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.equals("quit") || trimmed.equals("exit")) {
                return ExitStatuses.OK;
            }
            List<String> words;
            try {
                words = Tokenizer.words(trimmed);
            } catch (RuntimeException e) {
                output.error(ExitStatuses.of(e).message());
                continue;
            }
            dispatcher.execute(words, output, true);
        }
    }

    private void loadHistory(LineReader reader, Output output) {
        try {
            Files.createDirectories(session.home().root());
            reader.setVariable(LineReader.HISTORY_FILE, session.home().shellHistory());
            reader.getHistory().load();
        } catch (IOException | RuntimeException e) {
            output.warn("command history not available: " + e.getMessage());
        }
    }
}
