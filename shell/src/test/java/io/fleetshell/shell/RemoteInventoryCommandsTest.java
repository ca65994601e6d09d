package io.fleetshell.shell;

import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inventory load pc2:/PATH} in the real shell (issue 20): settings.yaml says how pc2 is reached (a real sshd on
 * loopback), the config is read there, refresh reads it there again, and a machine settings.yaml does not reach is
 * exit status 2 with the setting to add.
 */
class RemoteInventoryCommandsTest {

    @TempDir
    static Path dir;
    static Sshd sshd;

    @BeforeAll
    static void start() throws Exception {
        sshd = Sshd.start(dir.resolve("sshd"), "pc2-shell");
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    @Test
    void aConfigOnAMachineLoadsAndRefreshesOverSsh(@TempDir Path home, @TempDir Path fleetDir) throws Exception {
        TestFleet fleet = new TestFleet(fleetDir);
        Files.writeString(home.resolve("settings.yaml"), """
                machines:
                  pc2:
                    ssh: %s
                    ssh_config: %s
                """.formatted(sshd.alias(), sshd.sshConfig()));
        ShellHarness shell = new ShellHarness(home);

        ShellHarness.Run load = shell.oneShot("inventory", "load", "pc2:" + fleet.pc2());
        assertThat(load.status()).as(load.err()).isZero();
        assertThat(load.out()).contains("Loaded pc2:" + fleet.pc2() + ": machine pc2, 2 agents");
        ShellHarness.Run list = shell.oneShot("inventory", "list", "--machine", "pc2");
        assertThat(list.out()).contains("TutorAgent", "TranslationService");
        ShellHarness.Run refresh = shell.oneShot("inventory", "refresh");
        assertThat(refresh.status()).as(refresh.err()).isZero();
        assertThat(Files.list(home.resolve("run/ssh")).map(p -> p.getFileName().toString())).as("the shared connection's socket").isNotEmpty();

        ShellHarness.Run unknown = shell.oneShot("inventory", "load", "pc3:/srv/fleet/config.yaml");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("machine pc3 has no ssh: setting", "machines: {pc3: {ssh: user@host");
    }
}
