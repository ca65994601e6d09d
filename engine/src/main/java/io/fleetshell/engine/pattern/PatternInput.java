package io.fleetshell.engine.pattern;

import io.fleetshell.engine.analysis.FileFacts;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a pattern may look at: the file's exact bytes, the analysis facts computed from those
 * bytes, the version of the interpreter that runs the agent and the pattern's options.
 *
 * @param agent         the agent's name, for notes and diffs
 * @param file          the file the source was read from (absolute); only a label, never opened
 * @param source        the exact bytes of the file
 * @param facts         the analysis facts of exactly these bytes
 * @param pythonVersion the agent interpreter's version, e.g. {@code 3.11.2}
 * @param options       pattern options by name, as typed by the user
 */
public record PatternInput(
        String agent,
        Path file,
        byte[] source,
        FileFacts facts,
        String pythonVersion,
        Map<String, String> options) {

    public PatternInput {
        source = source.clone();
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    @Override
    public byte[] source() {
        return source.clone();
    }
}
