package io.fleetshell.engine.python.pattern;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The text of a Python helper that a pattern inlines into the agent, in the agent's own line ending. */
final class InlinedHelper {

    private InlinedHelper() {
    }

    static String text(String resource, String eol) {
        try (InputStream in = InlinedHelper.class.getResourceAsStream("/io/fleetshell/python/" + resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\n", eol);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
