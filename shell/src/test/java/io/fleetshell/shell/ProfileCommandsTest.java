package io.fleetshell.shell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** profile and baseline against real python3 processes. */
class ProfileCommandsTest {

    @TempDir
    Path home;
    @TempDir
    Path fleetDir;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void measuringAnEmptyInventorySaysHowToFillIt() {
        ShellHarness shell = new ShellHarness(home);
        for (String command : new String[] {"profile", "score"}) {
            ShellHarness.Run run = shell.oneShot(command);
            assertThat(run.status()).isEqualTo(2);
            assertThat(run.err()).contains("the inventory is empty; run demo init or inventory load FILE first");
        }
    }

    @Test
    void profileStoresVersionedBaselinesWithRawSamplesAndShowsFailures() {
        TestFleet fleet = new TestFleet(fleetDir);
        fleet.write("agents/quick.py", "import json\nimport csv\n");
        fleet.write("agents/broken.py", "import json\n\nimport not_installed_anywhere\n");
        Path config = fleet.write("config/startup.yaml", """
                agent_groups:
                  g:
                    QuickAgent: {script_path: agents/quick.py}
                    BrokenAgent: {script_path: agents/broken.py}
                    GhostAgent: {script_path: agents/ghost.py}
                """);
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("inventory", "load", config.toString(), "--machine", "m1").status()).isZero();

        ShellHarness.Run profile = shell.oneShot("profile", "--runs", "2", "--json");
        assertThat(profile.status()).as(profile.err()).isZero();
        assertThat(profile.err()).contains("m1/GhostAgent: not profiled, its script was not found", "[2/2]");
        JsonNode baselines = json.readTree(profile.out()).get("baselines");
        assertThat(baselines).hasSize(2);
        JsonNode broken = baselines.get(0);
        assertThat(broken.get("loaded").asBoolean()).isFalse();
        assertThat(broken.get("error").get("type").asString()).isEqualTo("ModuleNotFoundError");
        assertThat(broken.get("error").get("line").asInt()).isEqualTo(3);
        JsonNode quick = baselines.get(1);
        assertThat(quick.get("loaded").asBoolean()).isTrue();
        assertThat(quick.get("runs").asInt()).isEqualTo(2);
        assertThat(quick.get("load_ms").get("median").asDouble()).isPositive();
        assertThat(quick.get("version").asInt()).isEqualTo(1);

        shell.oneShot("profile", "QuickAgent", "--runs", "1");
        ShellHarness.Run list = shell.oneShot("baseline", "list");
        assertThat(list.out()).containsPattern("m1\\s+BrokenAgent\\s+1\\s+FAILED\\s+.*ModuleNotFoundError at line 3")
                .containsPattern("m1\\s+QuickAgent\\s+2\\s+\\d");

        ShellHarness.Run show = shell.oneShot("baseline", "show", "QuickAgent", "--version", "1", "--json");
        JsonNode samples = json.readTree(show.out()).get("samples");
        assertThat(samples).hasSize(2);
        assertThat(samples.get(0).get("imports").toString()).contains("\"json\"", "\"csv\"");

        assertThat(shell.oneShot("baseline", "show", "QuickAgent", "--version", "7").err()).contains("has versions [2, 1], not 7");
        assertThat(shell.oneShot("history", "--agent", "QuickAgent").out()).contains("profile QuickAgent --runs 1");
        assertThat(shell.oneShot("profile", "--runs", "0").status()).isEqualTo(2);
    }
}
