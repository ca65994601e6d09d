package io.fleetshell.shell.cli;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words as a POSIX shell does: whitespace separates words, single quotes
 * keep everything literally, double quotes keep everything but {@code \"} and {@code \\}, and a
 * backslash outside quotes escapes the next character. {@code =}, brackets and braces are ordinary.
 */
public final class Tokenizer {

    private Tokenizer() {
    }

    public static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        int quoteStart = -1;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                inWord = true;
                if (c == '\'' || c == '"') {
                    quote = c;
                    quoteStart = i;
                } else if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            }
        }
        if (quote != 0) {
            throw new FleetshellException(ErrorCode.BAD_INPUT,
                    "unclosed %s quote starting at column %d; close it or escape it with a backslash"
                            .formatted(quote == '"' ? "double" : "single", quoteStart + 1));
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
