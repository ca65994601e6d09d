package io.fleetshell.engine.inventory;

import java.nio.file.Path;

/**
 * Where an agent's script was found. {@code path} is absolute and inside the fleet root, or null when
 * the script was not found; {@code detail} is the sentence shown to the user.
 */
public record ScriptResolution(Status status, Path path, String detail) {

    public enum Status {
        /** The script is where the config says. */
        FOUND,
        /** Not where the config says, but found by name elsewhere under the fleet root. */
        FOUND_ELSEWHERE,
        /** Nowhere under the fleet root. */
        NOT_FOUND
    }

    public boolean found() {
        return path != null;
    }
}
