package io.fleetshell.shell.cli;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.util.ArrayList;
import java.util.List;

/**
 * The options every command takes, wherever they stand before {@code --}: {@code -o|--output
 * json|yaml|wide|name}, {@code --no-color} and {@code --debug} (an internal error prints its stack trace). They
 * are taken out of the words before the command's own options are parsed.
 *
 * @param words    the words without the global options
 * @param format   what {@code -o} asked for, {@link Output.Format#TEXT} without it
 * @param noColor  {@code --no-color} was given
 * @param debug    {@code --debug} was given
 */
public record GlobalOptions(List<String> words, Output.Format format, boolean noColor, boolean debug) {

    public static final String FORMATS = "json, yaml, wide or name";

    public static GlobalOptions of(List<String> words) {
        List<String> rest = new ArrayList<>();
        Output.Format format = Output.Format.TEXT;
        boolean noColor = false;
        boolean debug = false;
        boolean optionsEnded = false;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (optionsEnded || word.equals("--")) {
                optionsEnded = true;
                rest.add(word);
                continue;
            }
            String value = null;
            boolean isOutput = true;
            if (word.equals("-o") || word.equals("--output")) {
                if (i + 1 >= words.size()) {
                    throw new FleetshellException(ErrorCode.BAD_INPUT, word + " needs a format: " + FORMATS);
                }
                value = words.get(++i);
            } else if (word.startsWith("--output=")) {
                value = word.substring("--output=".length());
            } else if (word.startsWith("-o") && !word.startsWith("--") && word.length() > 2) {
                value = word.substring(2);
            } else {
                isOutput = false;
            }
            if (isOutput) {
                format = Output.Format.parse(value);
                if (format == null) {
                    throw new FleetshellException(ErrorCode.BAD_INPUT, "-o %s is not an output format; give %s".formatted(value, FORMATS));
                }
            } else if (word.equals("--no-color")) {
                noColor = true;
            } else if (word.equals("--debug")) {
                debug = true;
            } else {
                rest.add(word);
            }
        }
        return new GlobalOptions(List.copyOf(rest), format, noColor, debug);
    }
}
