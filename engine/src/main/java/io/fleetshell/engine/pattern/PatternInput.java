package io.fleetshell.engine.pattern;

import io.fleetshell.engine.analysis.FileFacts;
import io.fleetshell.engine.java.JavaFacts;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a pattern may look at: the file's exact bytes, the analysis facts computed from those
 * bytes, the version of the interpreter that runs the agent and the pattern's options. A Python agent's
 * input has {@code facts} and {@code pythonVersion}; a Java agent's has {@code javaFacts} instead, and
 * each pattern says in {@code validate} when it is given the other language.
 *
 * @param agent         the agent's name, for notes and diffs
 * @param file          the file the source was read from (absolute); only a label, never opened
 * @param source        the exact bytes of the file
 * @param facts         the Python analysis facts of exactly these bytes, or null for a Java agent
 * @param pythonVersion the agent interpreter's version, e.g. {@code 3.11.2}, or null for a Java agent
 * @param options       pattern options by name, as typed by the user
 * @param javaFacts     the Java analysis facts of exactly these bytes, or null for a Python agent
 */
public record PatternInput(
        String agent,
        Path file,
        byte[] source,
        FileFacts facts,
        String pythonVersion,
        Map<String, String> options,
        JavaFacts javaFacts) {

    public PatternInput {
        source = source.clone();
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** A Python agent's input. */
    public PatternInput(String agent, Path file, byte[] source, FileFacts facts, String pythonVersion, Map<String, String> options) {
        this(agent, file, source, facts, pythonVersion, options, null);
    }

    /** A Java agent's input. */
    public static PatternInput java(String agent, Path file, byte[] source, JavaFacts facts, Map<String, String> options) {
        return new PatternInput(agent, file, source, null, null, options, facts);
    }

    public boolean isJava() {
        return javaFacts != null;
    }

    @Override
    public byte[] source() {
        return source.clone();
    }
}
