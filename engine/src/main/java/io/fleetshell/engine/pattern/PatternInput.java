package io.fleetshell.engine.pattern;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a pattern may look at: the file's exact bytes, the analysis facts its language computed from
 * those bytes, the version of the runtime that runs the agent and the pattern's options. The type of the
 * facts is the language's ({@code FileFacts} for Python, {@code JavaFacts} for Java), so a pattern is only
 * ever given a file of its own language.
 *
 * @param agent   the agent's name, for notes and diffs
 * @param file    the file the source was read from (absolute); only a label, never opened
 * @param source  the exact bytes of the file
 * @param facts   the analysis facts of exactly these bytes (null only in tests of patterns that read none)
 * @param version the runtime's version where a pattern depends on it (Python: {@code 3.11.2}), else null
 * @param options pattern options by name, as typed by the user
 * @param <F>     the language's analysis facts
 */
public record PatternInput<F>(String agent, Path file, byte[] source, F facts, String version, Map<String, String> options) {

    public PatternInput {
        source = source.clone();
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    @Override
    public byte[] source() {
        return source.clone();
    }
}
