package io.fleetshell.shell.cli;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.history.Event;
import io.fleetshell.shell.ShellSession;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.core.InputReader;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandExecutor;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ExitStatus;
import org.springframework.shell.core.command.ParsedInput;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.List;

/**
 * Runs one command from its words, in the REPL, a script or one-shot mode alike: parses, executes
 * through Spring Shell, maps any failure to an exit status and a message on stderr (the one mapping
 * in {@link ExitStatuses}), and appends {@link Journaled} commands to the event log. The {@link GlobalOptions}
 * ({@code -o}, {@code --no-color}, {@code --debug}) are taken out first; an internal error's stack trace goes
 * to a log file under FLEETSHELL_HOME, and to stderr only with {@code --debug}.
 */
@Component
public class CommandDispatcher {

    private final ObjectProvider<CommandRegistry> registry;
    private final ShellSession session;
    private final CommandMethods methods;
    private final HelpRenderer help;
    private final ErrorLog errorLog;

    public CommandDispatcher(ObjectProvider<CommandRegistry> registry, ShellSession session,
                             CommandMethods methods, HelpRenderer help) {
        this.registry = registry;
        this.session = session;
        this.methods = methods;
        this.help = help;
        this.errorLog = new ErrorLog(session.home());
    }

    /** Runs the command the words name and returns its exit status. */
    public int execute(List<String> words, Output output, boolean interactive) {
        GlobalOptions global;
        try {
            global = GlobalOptions.of(words);
        } catch (FleetshellException e) {
            output.error(e.getMessage());
            return ExitStatuses.BAD_INPUT;
        }
        Output commandOutput = output.forCommand(global.format(), global.noColor());
        session.begin(commandOutput, interactive);
        CommandLineParser parser = new CommandLineParser(registry.getObject());
        List<String> given = global.words();
        String commandName = given.isEmpty() ? "" : given.getFirst();
        int status;
        try {
            CommandLineParser.Resolved resolved = structured(parser.resolve(given), global.format());
            Command command = resolved.command();
            commandName = command.getName();
            ParsedInput input = parser.parse(resolved);
            if (input.options().stream().anyMatch(o -> "help".equals(o.longName()))) {
                commandOutput.println(help.forCommand(command));
                return ExitStatuses.OK;
            }
            rejectExtraArguments(command, input);
            ExitStatus exit = new CommandExecutor(registry.getObject())
                    .execute(new CommandContext(input, registry.getObject(), commandOutput.out(), new InputReader() {
                    }));
            status = exit.code() == 0 ? ExitStatuses.OK : ExitStatuses.FAILED;
        } catch (Exception | StackOverflowError e) { // a deeply nested input must end in a message, not a trace
            ExitStatuses.Failure failure = ExitStatuses.of(e);
            String message = failure.message();
            if (failure.internal()) {
                message += errorLog.record(String.join(" ", words), e, global.debug(), commandOutput);
            }
            commandOutput.error(message);
            status = failure.status();
        }
        commandOutput.flush();
        if (methods.of(commandName).journaled()) {
            record(commandName, given, status, commandOutput);
        }
        return status;
    }

    /**
     * {@code -o json|yaml|name} is the command's {@code --json} printed in that format; a command without
     * {@code --json} prints no data to format.
     */
    private static CommandLineParser.Resolved structured(CommandLineParser.Resolved resolved, Output.Format format) {
        if (format == Output.Format.TEXT || format == Output.Format.WIDE) {
            return resolved;
        }
        Command command = resolved.command();
        if (command.getOptions().stream().noneMatch(o -> "json".equals(o.longName()))) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s prints no data for -o %s; -o works on the commands that take --json (help lists them)"
                    .formatted(command.getName(), format.name().toLowerCase()));
        }
        if (resolved.rest().contains("--json")) {
            return resolved;
        }
        List<String> rest = new java.util.ArrayList<>(resolved.rest());
        rest.addFirst("--json");
        return new CommandLineParser.Resolved(command, resolved.nameWords(), rest);
    }

    private void record(String commandName, List<String> words, int status, Output output) {
        ShellSession.Journal journal = session.journal();
        String outcome = switch (status) {
            case ExitStatuses.OK -> Event.OK;
            case ExitStatuses.BAD_INPUT -> Event.INVALID;
            default -> Event.FAILED;
        };
        try {
            session.events().append(new Event(0, Instant.now(), commandName, List.copyOf(words), status, outcome,
                    journal.summary(), null, journal.agents(), ProcessHandle.current().pid(), Host.name()));
        } catch (RuntimeException e) {
            output.warn("could not record this command in the history database: " + ExitStatuses.of(e).message());
        }
    }

    private void rejectExtraArguments(Command command, ParsedInput input) {
        int max = methods.of(command.getName()).maxArguments();
        if (max >= 0 && input.arguments().size() > max) {
            String extra = input.arguments().get(max).value();
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s takes %s; '%s' is one too many (see %s --help)"
                    .formatted(command.getName(), max == 0 ? "no arguments" : max == 1 ? "one argument" : max + " arguments",
                            extra, command.getName()));
        }
    }
}
