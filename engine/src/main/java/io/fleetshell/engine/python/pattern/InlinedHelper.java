package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.process.ShippedPrograms;

/** The text of a Python helper that a pattern inlines into the agent, in the agent's own line ending. */
final class InlinedHelper {

    private InlinedHelper() {
    }

    static String text(String resource, String eol) {
        return ShippedPrograms.python(resource).replace("\n", eol);
    }
}
