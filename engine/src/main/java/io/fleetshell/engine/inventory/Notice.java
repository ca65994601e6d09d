package io.fleetshell.engine.inventory;

import java.nio.file.Path;

/**
 * Something the user should know about a config that did not stop it from loading: an entry that is
 * not an agent, a script found elsewhere, a duplicate port.
 *
 * @param file    the config file the notice is about
 * @param line    1-based line in that file, or 0 when it concerns the whole file
 * @param message one sentence, naming the fix where there is one
 */
public record Notice(Path file, int line, String message) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
