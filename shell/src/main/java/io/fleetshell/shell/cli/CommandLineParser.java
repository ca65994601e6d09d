package io.fleetshell.shell.cli;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.NameSuggestions;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandParser;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ParsedInput;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses words into a command invocation against the registry. Unlike Spring Shell's default parser
 * it works on words, not a re-joined line, so an argv keeps its boundaries and values with spaces,
 * {@code =}, quotes and brackets arrive exactly as typed; it knows which options are flags, rejects
 * unknown options and repeats of options that are not lists, and takes {@code --} to end options.
 */
public final class CommandLineParser implements CommandParser {

    private final CommandRegistry registry;

    public CommandLineParser(CommandRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ParsedInput parse(String input) {
        return parse(Tokenizer.words(input));
    }

    /** The command a list of words starts with: the longest run of words that names a command. */
    public Resolved resolve(List<String> words) {
        if (words.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "no command given; type help for the list");
        }
        Resolved resolved = longestCommand(registry, words);
        if (resolved == null) {
            throw unknownCommand(words);
        }
        return resolved;
    }

    /** The longest run of leading non-option words that names a command, or null when none does. */
    static Resolved longestCommand(CommandRegistry registry, List<String> words) {
        Command found = null;
        int length = 0;
        for (int i = 1; i <= words.size(); i++) {
            if (words.get(i - 1).startsWith("-")) {
                break;
            }
            Command candidate = registry.getCommandByName(String.join(" ", words.subList(0, i)));
            if (candidate != null) {
                found = candidate;
                length = i;
            }
        }
        return found == null ? null : new Resolved(found, words.subList(0, length), words.subList(length, words.size()));
    }

    /**
     * Commands for scripts, not people ({@code __complete}): run like any command, but left out of help, TAB and
     * did-you-mean suggestions. Spring Shell's own hidden flag also refuses to run them.
     */
    public static boolean isInternal(Command command) {
        return command.isHidden() || command.getName().startsWith("__");
    }

    /** A command and the words that named it and follow it. */
    public record Resolved(Command command, List<String> nameWords, List<String> rest) {
    }

    public ParsedInput parse(List<String> words) {
        return parse(resolve(words));
    }

    /** The options and arguments that follow an already resolved command name. */
    public ParsedInput parse(Resolved resolved) {
        Command command = resolved.command();
        ParsedInput.Builder builder = ParsedInput.builder().commandName(resolved.nameWords().getFirst());
        resolved.nameWords().subList(1, resolved.nameWords().size()).forEach(builder::addSubCommand);

        List<String> rest = resolved.rest();
        Set<String> seen = new HashSet<>();
        int argumentIndex = 0;
        boolean optionsEnded = false;
        for (int i = 0; i < rest.size(); i++) {
            String word = rest.get(i);
            if (!optionsEnded && word.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (optionsEnded || !isOptionWord(word)) {
                builder.addArgument(new CommandArgument(argumentIndex++, word));
                continue;
            }
            String name = word.startsWith("--") ? word.substring(2) : word.substring(1);
            String inlineValue = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inlineValue = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("help") || name.equals("h")) {
                builder.addOption(CommandOption.with().longName("help").shortName('h').value("true").build());
                continue;
            }
            CommandOption declared = declaredOption(command, name, word);
            String longName = declared.longName();
            if (!seen.add(longName) && !isRepeatable(declared)) {
                throw new FleetshellException(ErrorCode.BAD_INPUT,
                        "--%s is given twice; give it once".formatted(longName));
            }
            String value;
            if (inlineValue != null) {
                value = inlineValue;
            } else if (isFlag(declared)) {
                value = "true";
            } else if (i + 1 < rest.size()) {
                value = rest.get(++i);
            } else {
                throw new FleetshellException(ErrorCode.BAD_INPUT,
                        "--%s needs a value: %s --%s VALUE".formatted(longName, command.getName(), longName));
            }
            requireWholeNumber(declared, value);
            builder.addOption(CommandOption.with().longName(longName).shortName(declared.shortName())
                    .type(declared.type()).value(value).build());
        }
        return builder.build();
    }

    /** A whole-number option names itself when its value is not one, or does not fit ({@code --runs 99999999999}). */
    private static void requireWholeNumber(CommandOption option, String value) {
        Class<?> type = option.type();
        boolean isInt = type == int.class || type == Integer.class;
        boolean isLong = type == long.class || type == Long.class;
        if (!isInt && !isLong) {
            return;
        }
        try {
            if (isInt) {
                Integer.parseInt(value.strip());
            } else {
                Long.parseLong(value.strip());
            }
        } catch (NumberFormatException e) {
            boolean digits = value.strip().matches("-?\\d+");
            throw new FleetshellException(ErrorCode.BAD_INPUT, digits
                    ? "--%s %s is out of range: give a whole number up to %d".formatted(option.longName(), value, isInt ? Integer.MAX_VALUE : Long.MAX_VALUE)
                    : "--%s takes a whole number, not '%s'".formatted(option.longName(), value));
        }
    }

    private static boolean isOptionWord(String word) {
        // "-" alone and negative numbers are values, not options
        return word.length() > 1 && word.startsWith("-") && !Character.isDigit(word.charAt(1));
    }

    /**
     * Options bound to a list (such as {@code playbook run --param k=v --param k2=v2}) may be given more
     * than once; the command reads each occurrence from its {@code CommandContext}.
     */
    static boolean isRepeatable(CommandOption option) {
        return option.type() != null && (java.util.Collection.class.isAssignableFrom(option.type()) || option.type().isArray());
    }

    static boolean isFlag(CommandOption option) {
        return option.type() == boolean.class || option.type() == Boolean.class;
    }

    private static CommandOption declaredOption(Command command, String name, String word) {
        for (CommandOption option : command.getOptions()) {
            if (name.equals(option.longName()) || (name.length() == 1 && option.shortName() == name.charAt(0))) {
                return option;
            }
        }
        List<String> known = command.getOptions().stream().map(CommandOption::longName).toList();
        List<String> close = NameSuggestions.closest(name, known, 2);
        String hint = close.isEmpty()
                ? known.isEmpty() ? "it takes no options" : "its options are --" + String.join(", --", known)
                : "did you mean --" + String.join(" or --", close) + "?";
        throw new FleetshellException(ErrorCode.BAD_INPUT,
                "%s has no option %s; %s".formatted(command.getName(), word, hint));
    }

    private FleetshellException unknownCommand(List<String> words) {
        List<String> names = new ArrayList<>();
        registry.getCommands().stream().filter(c -> !isInternal(c)).forEach(c -> names.add(c.getName()));
        String typed = words.getFirst();
        List<String> sub = names.stream().filter(n -> n.startsWith(typed + " ")).sorted().toList();
        if (!sub.isEmpty()) {
            String given = words.size() > 1 && !words.get(1).startsWith("-") ? " " + words.get(1) : "";
            return new FleetshellException(ErrorCode.BAD_INPUT, "%s%s is not a command; %s has: %s"
                    .formatted(typed, given, typed, String.join(", ", sub)));
        }
        List<String> close = NameSuggestions.closest(typed, names.stream().map(n -> n.split(" ")[0]).toList(), 3);
        return new FleetshellException(ErrorCode.BAD_INPUT, "unknown command '%s'%s; type help for the list"
                .formatted(typed, close.isEmpty() ? "" : " (did you mean " + String.join(", ", close) + "?)"));
    }
}
