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

    /**
     * The classes of Java agents' builds, by the sha256 of their sources, compiler and options ({@code java/JavaBuildCache}):
     * trimmed to a limit, safe to delete.
     */
    public Path javaBuilds() {
        return root.resolve("cache/javac");
    }

    /** Logs of the agents fleetshell supervises: {@code logs/MACHINE/AGENT.log}, appended across starts. */
    public Path logs() {
        return root.resolve("logs");
    }

    /** Pid files of the agents fleetshell supervises: {@code run/MACHINE/AGENT.json}. */
    public Path run() {
        return root.resolve("run");
    }

    /**
     * The child process groups this home's fleetshell processes run, one record each while it runs: what the next
     * start and {@code deploy recover} kill when the process that started them was killed ({@code process/Leftovers}).
     */
    public Path children() {
        return run().resolve("children");
    }

    /** The sockets of the shared ssh connections to remote machines ({@code host/SshHost}), one per host. */
    public Path sshSockets() {
        return run().resolve("ssh");
    }

    /** The log of a supervised agent: {@code logs/MACHINE/AGENT.log}, whatever the names hold (see {@link #stateFile}). */
    public Path agentLog(String machine, String agent) {
        return stateFile(logs(), machine, agent + ".log");
    }

    /** The pid file of a supervised agent: {@code run/MACHINE/AGENT.json}, whatever the names hold. */
    public Path agentPidFile(String machine, String agent) {
        return stateFile(run(), machine, agent + ".json");
    }

    /**
     * The one way a state path is built from names that come from configs (machines, agents): each name becomes
     * exactly one file name, with {@code /}, {@code \}, {@code %}, control characters and a leading dot
     * percent-encoded (so {@code ../../x} stays one harmless name), and the result is checked to lie under
     * {@code directory}, itself under the home.
     *
     * @throws FleetshellException {@link ErrorCode#PATH_ESCAPES_ROOT} when it would not (a bug, not an input)
     */
    public Path stateFile(Path directory, String... names) {
        Path base = directory.toAbsolutePath().normalize();
        Path path = base;
        for (String name : names) {
            path = path.resolve(fileName(name));
        }
        Path normal = path.normalize();
        if (!base.startsWith(root) || !normal.startsWith(base) || normal.equals(base)) {
            throw new FleetshellException(ErrorCode.PATH_ESCAPES_ROOT, "the state path %s leads out of %s: refused, nothing was written"
                    .formatted(normal, base));
        }
        return normal;
    }

    /** {@code name} as one safe file name: the same name always gives the same file, two names never one. */
    public static String fileName(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean unsafe = c == '/' || c == '\\' || c == '%' || c < 0x20 || c == 0x7f || (i == 0 && c == '.');
            out.append(unsafe ? "%%%02X".formatted((int) c) : String.valueOf(c));
        }
        return out.isEmpty() ? "%00" : out.toString();
    }

    /** The user's own playbooks, listed by {@code playbook list} beside the shipped {@code scripts/}. */
    public Path playbooks() {
        return root.resolve("playbooks");
    }
}
