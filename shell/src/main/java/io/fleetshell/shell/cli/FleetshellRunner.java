package io.fleetshell.shell.cli;

import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.commands.FirstStart;
import io.fleetshell.shell.commands.LeftoverSweep;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.Signals;
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
    private final CommandInterrupts interrupts;
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
        this.interrupts = session.interrupts();
        this.enabled = enabled;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!enabled) {
            return; // a context started for its beans alone, as tests do
        }
        String[] argv = args.getSourceArgs();
        swept = leftovers.atStart();
        if (argv.length == 0) {
            exitCode = repl(lineReader.getObject());
        } else {
            PrintWriter out = new PrintWriter(System.out, true);
            PrintWriter err = new PrintWriter(System.err, true);
            Output output = new Output(out, err, false);
            if (swept != null) {
                output.warn(swept);
            }
            if (StatusLine.stderrIsATerminal()) {
                // COLUMNS when the shell exports it; the JLine terminal that knows better is not built for one command.
                StatusLine status = new StatusLine(err, () -> columns(System.getenv("COLUMNS")));
                session.statusLine(status);
                output = new Output(status.around(out), status.around(err), false);
            }
            exitCode = oneShot(List.of(argv), output);
        }
    }

    /**
     * One command; Ctrl-C stops it (children killed, its temporary files removed) and the process exits 130. The
     * JVM's own SIGINT handling would exit at once, leaving the command's files behind: the command's thread is
     * interrupted instead, and the default handling comes back when the command ends.
     */
    private int oneShot(List<String> argv, Output output) {
        interrupts.notices(output::info);
        Object previous = Signals.register("INT", interrupts::press);
        try {
            return dispatcher.execute(argv, output, false);
        } finally {
            if (previous != null) {
                Signals.unregister("INT", previous);
            }
        }
    }

    private static int columns(String value) {
        try {
            return value == null ? 80 : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }

    /** The interactive loop; returns 0 when the user quits. */
    public int repl(LineReader reader) {
        Terminal terminal = reader.getTerminal();
        boolean ansi = !Terminal.TYPE_DUMB.equals(terminal.getType()) && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
        StatusLine line = ansi ? new StatusLine(terminal.writer(), terminal::getWidth) : null;
        session.statusLine(line);
        Output output = line == null ? new Output(terminal.writer(), terminal.writer(), false)
                : new Output(line.around(terminal.writer()), line.around(terminal.writer()), true);
        loadHistory(reader, output);
        session.console(question -> {
            StatusLine status = session.statusLine();
            if (status == null) {
                return reader.readLine(question);
            }
            status.pause();
            try {
                return reader.readLine(question);
            } finally {
                status.resume();
            }
        });
        output.info(output.bold("fleetshell") + " - home " + session.home().root()
                + ". TAB completes, Ctrl-R searches history, help lists commands, quit leaves.");
        if (swept != null) {
            output.warn(swept);
        }
        String prompt = ansi ? "\u001b[36mfleetshell\u001b[0m> " : "fleetshell> ";
        // Between prompts Ctrl-C belongs to the running command; while a line is read, JLine's own handler clears it.
        interrupts.notices(output::info);
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> interrupts.press());
        try {
            firstStart.greet(words -> dispatcher.execute(words, output, true), output);
            return loop(reader, output, prompt);
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
        }
    }

    private int loop(LineReader reader, Output output, String prompt) {
        while (true) {
            String line;
            try {
                line = reader.readLine(prompt);
            } catch (UserInterruptException e) {
                continue; // Ctrl-C at the prompt clears the line, as in bash; Ctrl-D (below) leaves
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
