package io.fleetshell.engine.inventory;

import io.fleetshell.engine.host.SshAccess;

import java.nio.file.Path;
import java.util.Map;

/**
 * A machine of the fleet and the settings its startup config gives for all of its agents.
 *
 * @param name        machine name, e.g. {@code mainpc}
 * @param fleetRoot   the directory every script path of this machine resolves against
 * @param python      the interpreter agents run with (default {@code python3})
 * @param environment environment variables from {@code global_settings.environment}, expanded
 * @param healthCheck health-check settings from {@code global_settings}, as written
 * @param ssh         how the machine is reached when it is not this computer, or null: it is this computer
 *                    ({@code io.fleetshell.engine.inventory.Hosts} turns it into the machine's transport); the fleet
 *                    root and the interpreter are then paths on that host
 */
public record Machine(String name, Path fleetRoot, String python, Map<String, String> environment,
                      Map<String, Object> healthCheck, SshAccess ssh) {

    public static final String DEFAULT_PYTHON = "python3";

    public Machine {
        environment = Map.copyOf(environment);
        healthCheck = healthCheck == null ? Map.of() : Map.copyOf(healthCheck);
    }

    /** A machine that is this computer. */
    public Machine(String name, Path fleetRoot, String python, Map<String, String> environment, Map<String, Object> healthCheck) {
        this(name, fleetRoot, python, environment, healthCheck, null);
    }
}
