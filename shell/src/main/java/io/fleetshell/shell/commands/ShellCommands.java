package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.CommandDispatcher;
import io.fleetshell.shell.cli.CommandLineParser;
import io.fleetshell.shell.cli.ExitStatuses;
import io.fleetshell.shell.cli.HelpRenderer;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.cli.Tokenizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code help}, {@code script} and {@code version}: the shell itself. */
@Component
public class ShellCommands {

    private final ShellSession session;
    private final HelpRenderer help;
    private final ObjectProvider<CommandDispatcher> dispatcher;
    private final ObjectProvider<CommandRegistry> registry;
    private int scriptDepth;

    public ShellCommands(ShellSession session, HelpRenderer help, ObjectProvider<CommandDispatcher> dispatcher,
                         ObjectProvider<CommandRegistry> registry) {
        this.session = session;
        this.help = help;
        this.dispatcher = dispatcher;
        this.registry = registry;
    }

    @Command(name = "help", group = "Shell", help = "help [COMMAND]", completionProvider = "commandCompletion",
            description = "List the commands by topic, or describe one command and its options.")
    public void help(@Arguments List<String> words) {
        Output out = session.output();
        if (words == null || words.isEmpty()) {
            out.println(help.overview());
            return;
        }
        out.println(help.forCommand(new CommandLineParser(registry.getObject()).resolve(words).command()));
    }

    @Command(name = "script", group = "Shell", help = "script FILE", completionProvider = "pathCompletion",
            description = "Run the commands in FILE, one per line; blank lines and lines starting with # or // are skipped. "
                    + "Stops at the first command that fails and exits with its status.")
    public void script(@Argument(index = 0) String file) {
        if (file.isBlank()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name the script: script FILE");
        }
        Path path = Path.of(file);
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot read script " + path + ": "
                    + (Files.exists(path) ? e.getMessage() : "no such file"));
        }
        if (scriptDepth >= 8) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, path + ": scripts nested more than 8 deep; does it run itself?");
        }
        Output out = session.output();
        boolean interactive = session.interactive();
        scriptDepth++;
        try {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#") || line.startsWith("//")) {
                    continue;
                }
                List<String> words;
                try {
                    words = Tokenizer.words(line);
                } catch (FleetshellException e) {
                    throw new FleetshellException(e.code(), "%s:%d: %s".formatted(path, i + 1, e.getMessage()));
                }
                int status = dispatcher.getObject().execute(words, out, interactive);
                if (status != ExitStatuses.OK) {
                    ErrorCode code = status == ExitStatuses.BAD_INPUT ? ErrorCode.BAD_INPUT : ErrorCode.OPERATION_FAILED;
                    throw new FleetshellException(code, "%s:%d: '%s' exited with status %d; the rest of the script was not run"
                            .formatted(path, i + 1, line, status));
                }
            }
        } finally {
            scriptDepth--;
            session.begin(out, interactive);
        }
    }

    @Command(name = "version", group = "Shell", help = "version", description = "Print the fleetshell and Java versions.")
    public void version() {
        String version = ShellCommands.class.getPackage().getImplementationVersion();
        session.output().println("fleetshell %s (Java %s, %s)".formatted(version == null ? "development build" : version,
                Runtime.version(), System.getProperty("java.vm.name")));
    }
}
