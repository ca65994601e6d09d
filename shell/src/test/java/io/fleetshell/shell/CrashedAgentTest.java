package io.fleetshell.shell;

import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 18: an agent whose script does not parse, started by fleetshell: it crashed, and starting it again is no fix. */
class CrashedAgentTest {

    @TempDir
    Path home;
    @TempDir
    Path fleet;

    private ShellHarness shell;

    @BeforeEach
    void loadFleet() throws IOException {
        Files.writeString(fleet.resolve("broken_agent.py"), "import json\nprint((1, 2)))\n");
        Path config = fleet.resolve("broken.yaml");
        Files.writeString(config, """
                agent_groups:
                  test:
                    BrokenAgent: {script_path: broken_agent.py, health_check_port: %d}
                """.formatted(Ports.free()));
        shell = new ShellHarness(home);
        assertThat(shell.oneShot("inventory", "load", config.toString(), "--machine", "m1").status()).isZero();
    }

    @AfterEach
    void killLeftovers() throws IOException {
        RuntimeTestFleet.killLeftovers(home);
    }

    @Test
    void statusSaysItCrashedWithItsExitStatusAndHealthAdvisesTheFix() {
        ShellHarness.Run start = shell.oneShot("agents", "start", "BrokenAgent", "--timeout", "20");
        assertThat(start.status()).isEqualTo(1);

        ShellHarness.Run status = shell.oneShot("agents", "status", "BrokenAgent", "-o", "wide");
        assertThat(status.out()).contains("exited", "crashed: pid ", "exited with status 1 before it was healthy")
                .doesNotContain("not started by fleetshell");

        ShellHarness.Run health = shell.oneShot("health");
        assertThat(health.out()).contains("its script does not parse (" + fleet.resolve("broken_agent.py") + ":2: ",
                "): fix it, then agents start BrokenAgent");
    }
}
