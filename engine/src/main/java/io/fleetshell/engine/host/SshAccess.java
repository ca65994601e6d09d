package io.fleetshell.engine.host;

import java.nio.file.Path;
import java.util.Map;

/**
 * How fleetshell reaches a remote machine: through the system's OpenSSH client, so that the user's
 * {@code ~/.ssh/config}, agent, bastions and known_hosts apply. Written under {@code machines: NAME:} in
 * settings.yaml or in a config's {@code global_settings}; a machine without it is this computer.
 *
 * @param destination  {@code user@host} or a {@code Host} alias of the ssh config ({@code ssh:})
 * @param port         the port, or null for the ssh config's ({@code port:})
 * @param identityFile the private key to offer, or null for the ssh config's ({@code identity_file:})
 * @param sshConfig    an ssh config file used instead of {@code ~/.ssh/config} ({@code ssh_config:}), or null
 * @param options      more {@code -o NAME=VALUE} options, e.g. {@code StrictHostKeyChecking: accept-new} ({@code options:})
 * @param tunnel       agents' ports are reached through an SSH tunnel, not at their host ({@code tunnel:})
 * @param forks        how many hosts are worked on at once ({@code forks:}, default {@link #DEFAULT_FORKS})
 * @param stateDir     where fleetshell keeps its files on the host (pid files, logs), relative to the remote
 *                     user's home or absolute ({@code state_dir:}, default {@link #DEFAULT_STATE_DIR})
 */
public record SshAccess(String destination, Integer port, Path identityFile, Path sshConfig, Map<String, String> options,
                        boolean tunnel, int forks, String stateDir) {

    public static final int DEFAULT_FORKS = 10;
    /**
     * Not {@code .fleetshell}, this computer's default FLEETSHELL_HOME: when the "remote" machine is a computer where
     * the same user also runs fleetshell (or this very computer, as in a loopback setup), the host's pid files and
     * session files under {@code run/} would sit among that fleetshell's own, and its agents of the same machine name
     * would be taken for these. A directory of its own below it keeps them apart and keeps one dot directory in the
     * remote user's home. The agents' files inside are already per machine ({@code run/MACHINE/AGENT.json}), so several
     * machines on one host share it safely.
     */
    public static final String DEFAULT_STATE_DIR = ".fleetshell/remote";

    public SshAccess {
        if (destination == null || destination.isBlank()) {
            throw new IllegalArgumentException("an ssh destination (user@host) is needed");
        }
        options = Map.copyOf(options);
        stateDir = stateDir == null || stateDir.isBlank() ? DEFAULT_STATE_DIR : stateDir;
    }

    /** {@code user@host} with the defaults for everything else. */
    public static SshAccess to(String destination) {
        return new SshAccess(destination, null, null, null, Map.of(), false, DEFAULT_FORKS, null);
    }

    /** How the machine is reached, for messages: {@code deploy@10.0.0.12:2222}. */
    public String describe() {
        return port == null ? destination : destination + ":" + port;
    }
}
