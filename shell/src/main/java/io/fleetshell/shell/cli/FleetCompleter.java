package io.fleetshell.shell.cli;

import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.completion.CompletionContext;
import org.springframework.shell.core.command.completion.CompletionProposal;
import org.springframework.shell.jline.CommandCompleter;
import org.springframework.stereotype.Component;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * TAB completion for the REPL: command words (including sub-commands), the options a command has not
 * been given yet, option values by option name (agents, machines, paths) and positional values through
 * the command's own {@code CompletionProvider}. Replaces Spring Shell's completer, which proposes
 * option values only right after {@code --opt } and never sub-command words.
 */
@Component
public class FleetCompleter extends CommandCompleter {

    private final CommandRegistry registry;
    private final ValueCompletions values;

    public FleetCompleter(CommandRegistry registry, ValueCompletions values) {
        super(registry);
        this.registry = registry;
        this.values = values;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int index = Math.min(line.wordIndex(), words.size());
        String current = index < words.size() ? words.get(index).substring(0, Math.min(line.wordCursor(), words.get(index).length())) : "";
        proposals(words.subList(0, index), current).forEach(candidates::add);
    }

    /** Candidates for the word being typed, given the complete words before it. */
    public List<Candidate> proposals(List<String> before, String current) {
        Set<Candidate> out = new LinkedHashSet<>();
        CommandLineParser.Resolved resolved = CommandLineParser.longestCommand(registry, before);
        Command command = resolved == null ? null : resolved.command();
        int nameLength = resolved == null ? 0 : resolved.nameWords().size();
        if (before.stream().noneMatch(w -> w.startsWith("-"))) {
            commandWords(before, current, out); // only names that continue the words typed so far
        }
        if (command == null) {
            return List.copyOf(out);
        }
        String previous = before.size() > nameLength ? before.getLast() : null;
        if ("-o".equals(previous) || "--output".equals(previous)) {
            for (Output.Format format : Output.Format.values()) {
                String name = format.name().toLowerCase();
                if (format != Output.Format.TEXT && name.startsWith(current)) {
                    out.add(new Candidate(name, name, "output", null, null, null, true));
                }
            }
            return List.copyOf(out);
        }
        CommandOption pending = previous == null ? null : option(command, previous);
        if (pending != null && !CommandLineParser.isFlag(pending)) {
            List<ValueCompletions.Value> proposed = values.forOption(pending.longName(), current);
            for (int i = 0; i < proposed.size(); i++) { // in the order proposed: JLine sorts by this index first
                out.add(valueCandidate(proposed.get(i), pending.longName(), i));
            }
            return List.copyOf(out);
        }
        if (current.startsWith("-") || current.isEmpty()) {
            for (CommandOption option : command.getOptions()) {
                String flag = "--" + option.longName();
                if (flag.startsWith(current) && !before.contains(flag)) {
                    out.add(new Candidate(flag, flag, "options", option.description(), null, null, true));
                }
            }
            if (command.getOptions().stream().anyMatch(o -> "json".equals(o.longName())) && "--output".startsWith(current)
                    && !before.contains("--output") && !before.contains("-o")) {
                out.add(new Candidate("--output", "--output", "options", "json, yaml, wide or name (also -o)", null, null, true));
            }
        }
        if (!current.startsWith("-")) {
            List<String> words = new java.util.ArrayList<>(before);
            words.add(current);
            CompletionContext context = new CompletionContext(words, words.size() - 1, current.length(), command, null);
            for (CompletionProposal proposal : command.getCompletionProvider().apply(context)) {
                if (proposal.value().startsWith(current)) {
                    out.add(new Candidate(proposal.value(), proposal.displayText(), proposal.category(),
                            proposal.description(), null, null, proposal.complete()));
                }
            }
        }
        return List.copyOf(out);
    }

    private void commandWords(List<String> before, String current, Set<Candidate> out) {
        for (Command command : registry.getCommands()) {
            if (CommandLineParser.isInternal(command)) {
                continue;
            }
            for (String name : names(command)) {
                List<String> parts = Arrays.asList(name.split(" "));
                if (parts.size() > before.size() && parts.subList(0, before.size()).equals(before)
                        && parts.get(before.size()).startsWith(current)) {
                    boolean last = parts.size() == before.size() + 1;
                    out.add(new Candidate(parts.get(before.size()), parts.get(before.size()), "commands",
                            last ? command.getDescription() : null, null, null, true));
                }
            }
        }
    }

    private static List<String> names(Command command) {
        List<String> names = new java.util.ArrayList<>(command.getAliases());
        names.addFirst(command.getName());
        return names;
    }

    private static CommandOption option(Command command, String word) {
        return command.getOptions().stream().filter(o -> word.equals("--" + o.longName())).findFirst().orElse(null);
    }

    private static Candidate valueCandidate(ValueCompletions.Value value, String option, int order) {
        return new Candidate(value.text(), value.text(), option, value.description(), null, null, value.complete(), order);
    }
}
