package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.FleetCompleter;
import org.jline.reader.Candidate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code completion bash|zsh} prints a completion script for the shell one-shot commands are typed in; the
 * script asks the internal {@code __complete} command (left out of help and completion, like every command whose
 * name starts with two underscores; Spring Shell cannot run a command marked hidden), which answers with the REPL's own completer (commands,
 * options, agent names, patterns, deployment ids, paths), as cobra-based tools such as kubectl do.
 */
@Component
public class CompletionCommands {

    private final ShellSession session;
    private final ObjectProvider<FleetCompleter> completer;

    public CompletionCommands(ShellSession session, ObjectProvider<FleetCompleter> completer) {
        this.session = session;
        this.completer = completer;
    }

    @Command(name = "completion", group = "Shell", help = "completion bash|zsh",
            description = "Print the TAB completion script for bash or zsh, for fleetshell typed at the shell's prompt: "
                    + ". <(fleetshell completion bash), or source <(fleetshell completion zsh) after compinit. It completes "
                    + "commands, options, agent names, patterns and deployment ids from this FLEETSHELL_HOME.")
    public void completion(@Argument(index = 0) String shell) {
        String file = switch (shell == null ? "" : shell) {
            case "bash" -> "fleetshell.bash";
            case "zsh" -> "fleetshell.zsh";
            default -> throw new FleetshellException(ErrorCode.BAD_INPUT, "name the shell: completion bash or completion zsh"
                    + (shell == null || shell.isBlank() ? "" : " ('" + shell + "' is neither)"));
        };
        try (InputStream in = CompletionCommands.class.getResourceAsStream("/io/fleetshell/shell/completion/" + file)) {
            session.output().out().print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            session.output().out().flush();
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot read the completion script " + file + ": " + e.getMessage());
        }
    }

    @Command(name = "__complete", group = "Shell", help = "__complete -- WORD... CURRENT",
            description = "The candidates for the last word (CURRENT, possibly empty) after the words before it, one per line: "
                    + "the value, a tab, its description. Used by the scripts of completion bash|zsh.")
    public void complete(@Arguments List<String> words) {
        List<String> given = words == null || words.isEmpty() ? List.of("") : words;
        List<String> before = given.subList(0, given.size() - 1);
        String current = given.getLast();
        for (Candidate candidate : completer.getObject().proposals(before, current)) {
            String description = candidate.descr() == null ? "" : candidate.descr().replaceAll("[\\t\\n\\r]", " ");
            session.output().println(candidate.value() + "\t" + description);
        }
    }
}
