package io.fleetshell.engine;

import java.nio.file.Path;
import java.util.Map;

/**
 * The directory where fleetshell keeps its state: the history database, the shell's command history,
 * settings, caches and the demo fleet. {@code FLEETSHELL_HOME}, else {@code ~/.fleetshell}.
 */
public record FleetHome(Path root) {

    public static final String VARIABLE = "FLEETSHELL_HOME";

    public FleetHome {
        root = root.toAbsolutePath().normalize();
    }

    public static FleetHome from(Map<String, String> environment, String userHome) {
        String configured = environment.get(VARIABLE);
        return new FleetHome(configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(userHome, ".fleetshell"));
    }

    public Path database() {
        return root.resolve("history.db");
    }

    public Path shellHistory() {
        return root.resolve("shell_history");
    }

    public Path settings() {
        return root.resolve("settings.yaml");
    }

    public Path demo() {
        return root.resolve("demo");
    }

    /** Compiled bytecode of profiled agents and their libraries, kept out of the fleet. */
    public Path bytecodeCache() {
        return root.resolve("cache/pycache");
    }

    /** Logs of the agents fleetshell supervises: {@code logs/MACHINE/AGENT.log}, appended across starts. */
    public Path logs() {
        return root.resolve("logs");
    }

    /** Pid files of the agents fleetshell supervises: {@code run/MACHINE/AGENT.json}. */
    public Path run() {
        return root.resolve("run");
    }

    /** The Python helpers fleetshell runs with the agents' interpreters, extracted from the jar. */
    public Path helpers() {
        return root.resolve("cache/helpers");
    }

    /** The user's own playbooks, listed by {@code playbook list} beside the shipped {@code scripts/}. */
    public Path playbooks() {
        return root.resolve("playbooks");
    }
}
