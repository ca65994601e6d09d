package io.fleetshell.engine.profile;

import io.fleetshell.engine.inventory.AgentId;

import java.nio.file.Path;
import java.util.Map;

/**
 * What profiling an agent needs: its script, the interpreter it runs with, the directory it starts in
 * and the environment it gets (on top of fleetshell's own).
 */
public record ProfileTarget(AgentId agent, Path script, String python, Path workingDirectory,
                            Map<String, String> environment) {

    public ProfileTarget {
        environment = Map.copyOf(environment);
    }
}
