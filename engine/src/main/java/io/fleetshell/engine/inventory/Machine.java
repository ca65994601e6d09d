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

    /**
     * The host the machine's work runs on, as a key to group work by: {@code this computer} for every machine without
     * {@code ssh:} (they share its cores), else the ssh destination and port.
     */
    public String host() {
        return ssh == null ? "this computer" : ssh.describe();
    }

    /**
     * How many hosts are worked on at once for these machines: the largest {@code forks:} of the remote ones, else
     * {@value SshAccess#DEFAULT_FORKS} (as Ansible's default).
     */
    public static int forks(java.util.Collection<Machine> machines) {
        return machines.stream().map(Machine::ssh).filter(java.util.Objects::nonNull).mapToInt(SshAccess::forks).max()
                .orElse(SshAccess.DEFAULT_FORKS);
    }
}
