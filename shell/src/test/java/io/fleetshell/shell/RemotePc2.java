package io.fleetshell.shell;

import io.fleetshell.testing.Sshd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's pc2 on a host reached over ssh, for the shell's remote tests: a real sshd in a mount namespace of its own
 * ({@link Sshd#startIsolated}: {@code dir/srv} exists only there), the demo initialized in the shell's home, pc2's tree
 * ({@code pc2_code} and {@code common}) copied to the host under {@link #root}. A test then adjusts the host's files
 * (through {@link #sshd}), {@link #configure}s the machine in settings.yaml and {@link #load}s pc2's config from the
 * host in place of the local one; nothing of pc2's tree is at its path on this computer.
 *
 * @param sshd  the host
 * @param shell the shell, its home holding the demo
 * @param root  pc2's fleet root on the host
 * @param state the machine's state directory on the host (pid files, logs)
 */
record RemotePc2(Sshd sshd, ShellHarness shell, Path root, Path state) implements AutoCloseable {

    /** pc2's startup config, as the host has it. */
    static final String CONFIG = "pc2_code/config/startup_config.yaml";

    /**
     * Starts the host and copies pc2's tree to {@code dir/srv/ROOTNAME}.
     *
     * @param portBase with a value, the agents' ports become {@code portBase + N} instead of {@code ${PORT_OFFSET}+N} (away
     *                 from other tests' agents); null keeps the config's
     */
    static RemotePc2 start(Path dir, Path home, String rootName, Integer portBase) throws Exception {
        Path remote = dir.resolve("srv");
        Sshd sshd = Sshd.startIsolated(dir.resolve("sshd"), "pc2host", remote, 0);
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        Path root = remote.resolve(rootName);
        sshd.copyIn(home.resolve("demo/pc2_code"), root.resolve("pc2_code"));
        sshd.copyIn(home.resolve("demo/common"), root.resolve("common"));
        if (portBase != null) {
            Path config = root.resolve(CONFIG);
            sshd.writeString(config, sshd.readString(config).replace("${PORT_OFFSET}+", portBase + "+"));
        }
        return new RemotePc2(sshd, shell, root, remote.resolve("state"));
    }

    /** Where the host keeps what is not the fleet's ({@code dir/srv}). */
    Path remote() {
        return state.getParent();
    }

    /** settings.yaml naming machine pc2 on the host, its root {@code configuredRoot} (a link to {@link #root} or it), and more lines. */
    void configureAt(String configuredRoot, String... lines) throws Exception {
        List<String> settings = new ArrayList<>(List.of("machines:", "  pc2:", "    ssh: pc2host", "    ssh_config: " + sshd.sshConfig(),
                "    root: " + configuredRoot, "    state_dir: " + state));
        for (String line : lines) {
            settings.add("    " + line);
        }
        java.nio.file.Files.writeString(shell.home().resolve("settings.yaml"), String.join("\n", settings) + "\n");
    }

    /** {@link #configureAt} with the root itself. */
    void configure(String... lines) throws Exception {
        configureAt(root.toString(), lines);
    }

    /**
     * Unloads the local configs of {@code local} ({@code pc2_code}, {@code main_pc_code}) and loads pc2's from the host,
     * under {@code configuredRoot}.
     */
    void loadFrom(String configuredRoot, String... local) {
        for (String code : local) {
            ShellHarness.Run unload = shell.oneShot("inventory", "unload", shell.home().resolve("demo/" + code + "/config/startup_config.yaml").toString());
            assertThat(unload.status()).as(unload.err()).isZero();
        }
        ShellHarness.Run load = shell.oneShot("inventory", "load", "pc2:" + configuredRoot + "/" + CONFIG);
        assertThat(load.status()).as(load.out() + load.err()).isZero();
        assertThat(root.resolve("pc2_code")).as("pc2's tree is only on its host").doesNotExist();
    }

    /** {@link #loadFrom} under the root itself, in place of the local pc2. */
    void load() {
        loadFrom(root.toString(), "pc2_code");
    }

    @Override
    public void close() throws InterruptedException {
        sshd.close();
    }
}
