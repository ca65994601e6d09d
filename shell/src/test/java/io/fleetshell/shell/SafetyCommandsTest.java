package io.fleetshell.shell;

import io.fleetshell.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17 through the real shell: {@code deploy recover} kills a process group and removes a hidden proof sibling
 * that a killed fleetshell left (its record under FLEETSHELL_HOME names an owner that is gone), the sibling is no
 * agent, and {@code history prune} says what it deleted or what it needs.
 */
class SafetyCommandsTest {

    @TempDir
    Path home;

    @Test
    void deployRecoverKillsTheGroupAndRemovesTheSiblingAKilledFleetshellLeft() throws Exception {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        Process dead = new ProcessBuilder("true").start();
        Await.exit(dead, Duration.ofSeconds(60));
        Process leftover = new ProcessBuilder("setsid", "sleep", "600").start(); // a group of its own, like a proof's load
        long pgid = leftover.pid();
        Path sibling = Files.writeString(home.resolve("demo/main_pc_code/agents/.tutor_agent.py.fleetshell-proof-p" + dead.pid()
                + "-0a1b2c3d.py"), "import time\n");
        Files.createDirectories(home.resolve("run/children"));
        Files.writeString(home.resolve("run/children/" + pgid + ".json"), """
                {"pgid":%d,"group":true,"leader_start":"%s","owner_pid":%d,"owner_start":null,"command":["sleep","600"],"owned":[]}"""
                .formatted(pgid, leftover.info().startInstant().orElseThrow(), dead.pid()));
        try {
            ShellHarness.Run recover = shell.oneShot("deploy", "recover", "--json");

            assertThat(recover.status()).isZero();
            assertThat(recover.out()).contains("\"killed\" : [ \"group " + pgid + ": sleep 600 (owner pid " + dead.pid() + ")\" ]")
                    .contains("\"removed\" : [ \"" + sibling + "\" ]");
            assertThat(Await.exit(leftover, Duration.ofSeconds(60))).isEqualTo(137);
            assertThat(sibling).doesNotExist();

            // a live fleetshell's sibling (this JVM's) stays, and is never taken for an agent's script
            Path live = Files.writeString(home.resolve("demo/main_pc_code/agents/.tutor_agent.py.fleetshell-proof-p"
                    + ProcessHandle.current().pid() + "-0a1b2c3d.py"), "import time\n");
            assertThat(shell.oneShot("inventory", "refresh").status()).isZero();
            assertThat(shell.oneShot("inventory", "list").out()).doesNotContain("fleetshell-proof");
            assertThat(live).exists();
        } finally {
            leftover.destroyForcibly();
        }
    }

    @Test
    void historyPruneNeedsAnAgeAndSaysWhatItDeleted() {
        ShellHarness shell = new ShellHarness(home);

        ShellHarness.Run none = shell.oneShot("history", "prune");
        ShellHarness.Run pruned = shell.oneShot("history", "prune", "--older-than", "30d");

        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).contains("history prune needs an age: --older-than 30d, or metrics_retention: 30d in "
                + home.resolve("settings.yaml") + "; nothing was deleted");
        assertThat(pruned.status()).isZero();
        assertThat(pruned.out()).startsWith("Deleted 0 scrapes, 0 samples and 0 series older than 30d (before ")
                .contains("deployments, events, baselines and gate decisions are kept.");
    }
}
