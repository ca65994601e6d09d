package io.fleetshell.shell;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16 item 7 through the real shell: a config written for a container ({@code PYTHONPATH: /app}) on a machine
 * where the fleet lives elsewhere. The load warns, {@code inventory env} shows why imports fail, settings.yaml maps
 * the path, {@code inventory refresh} reports the machine's changed environment, and a real load then succeeds.
 */
class FleetEnvironmentTest {

    @TempDir
    Path home;
    @TempDir
    Path fleet;

    private ShellHarness shell;
    private Path config;
    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeEach
    void setUp() throws IOException {
        shell = new ShellHarness(home);
        Files.createDirectories(fleet.resolve("common"));
        Files.writeString(fleet.resolve("common/__init__.py"), "GREETING = 'hello'\n");
        Files.createDirectories(fleet.resolve("main_pc_code/agents"));
        Files.writeString(fleet.resolve("main_pc_code/agents/tutor_agent.py"), "from common import GREETING\n");
        Files.createDirectories(fleet.resolve("main_pc_code/config"));
        config = Files.writeString(fleet.resolve("main_pc_code/config/startup_config.yaml"), """
                global_settings:
                  environment:
                    PYTHONPATH: /app
                agent_groups:
                  core:
                    TutorAgent: {script_path: main_pc_code/agents/tutor_agent.py}
                """);
    }

    @Test
    void aContainerPythonpathIsExplainedMappedAndThenLoads() throws IOException {
        ShellHarness.Run load = shell.oneShot("inventory", "load", config.toString());
        assertThat(load.status()).as(load.err()).isZero();
        assertThat(load.err()).contains(config + ":3: PYTHONPATH entry /app does not exist on this machine",
                "machines: {mainpc: {path_map: {/app: .}}}");

        ShellHarness.Run env = shell.oneShot("inventory", "env", "TutorAgent");
        assertThat(env.status()).as(env.err()).isZero();
        assertThat(env.out()).contains("working directory: " + fleet, "PYTHONPATH", "/app", "config")
                .containsPattern("\\n\\s*\\d+\\s+/app\\s+missing");
        assertThat(env.err()).contains("1 sys.path entry does not exist", "path_map: {/app: .}");

        ShellHarness.Run failing = shell.oneShot("profile", "TutorAgent", "--runs", "1", "--json");
        assertThat(json.readTree(failing.out()).get("baselines").get(0).get("loaded").asBoolean()).isFalse();

        Files.writeString(home.resolve("settings.yaml"), "machines:\n  mainpc:\n    path_map: {/app: .}\n");
        ShellHarness.Run refresh = shell.oneShot("inventory", "refresh");
        assertThat(refresh.status()).as(refresh.err()).isZero();
        assertThat(refresh.out()).contains("Machine mainpc: PYTHONPATH /app -> " + fleet + " (every agent of mainpc sees it).")
                .doesNotContain("No agents");
        assertThat(refresh.err()).doesNotContain("does not exist");

        JsonNode mapped = json.readTree(shell.oneShot("inventory", "env", "TutorAgent", "--json").out());
        assertThat(mapped.get("environment").get(0).get("value").asString()).isEqualTo(fleet.toString());
        assertThat(mapped.get("sys_path").findValuesAsString("path")).contains(fleet.toString(), fleet.resolve("main_pc_code/agents").toString());

        ShellHarness.Run loads = shell.oneShot("profile", "TutorAgent", "--runs", "1", "--json");
        assertThat(json.readTree(loads.out()).get("baselines").get(0).get("loaded").asBoolean()).as(loads.out()).isTrue();
    }
}
