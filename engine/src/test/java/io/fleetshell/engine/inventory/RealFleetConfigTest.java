package io.fleetshell.engine.inventory;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Configs as real fleets write them (issue 16 items 7 and 11, issue 17's load-time items): container paths,
 * {@code ${PWD}}, blocks that are not agents, names that are not file names, unset variables, huge or deeply
 * nested files. Each fixture is written for its test.
 */
class RealFleetConfigTest {

    @TempDir
    Path fleet;

    private Path write(String relative, String text) throws IOException {
        Path file = fleet.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private LoadedConfig load(Path config, Map<String, MachineOverride> machines) {
        return new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE, machines).load(new ConfigSource(config, null, null));
    }

    private static List<String> messages(LoadedConfig loaded) {
        return loaded.notices().stream().map(Notice::toString).toList();
    }

    // issue 16 item 7: PYTHONPATH: /app is a container path; 40 agents failed with "No module named 'common'" and nothing said why
    @Test
    void aContainerPathIsWarnedAboutWithItsLineAndMappedToTheFleetRootBySettings() throws IOException {
        write("main_pc_code/agents/tutor.py", "import common\n");
        write("common/__init__.py", "");
        Path config = write("main_pc_code/config/startup_config.yaml", """
                global_settings:
                  environment:
                    PYTHONPATH: /app:/app/common
                    LOG_LEVEL: INFO
                agent_groups:
                  core:
                    TutorAgent: {script_path: main_pc_code/agents/tutor.py}
                """);
        LoadedConfig unmapped = load(config, Map.of());
        assertThat(unmapped.machine().environment()).containsEntry("PYTHONPATH", "/app:/app/common");
        assertThat(messages(unmapped)).anySatisfy(m -> assertThat(m).startsWith(config + ":3: PYTHONPATH entry /app does not exist on this machine")
                .contains("machines: {mainpc: {path_map: {/app: .}}}"));

        LoadedConfig mapped = load(config, Map.of("mainpc", new MachineOverride(Map.of(), Map.of("/app", "."), "/opt/venv/bin/python")));
        assertThat(mapped.machine().environment()).containsEntry("PYTHONPATH", fleet + ":" + fleet.resolve("common"))
                .containsEntry("LOG_LEVEL", "INFO");
        assertThat(mapped.machine().python()).isEqualTo("/opt/venv/bin/python");
        assertThat(messages(mapped)).isEmpty();
    }

    @Test
    void settingsEnvReplacesTheConfigsAndAContainerScriptPathResolvesThroughThePathMap() throws IOException {
        write("agents/tutor.py", "");
        Path config = write("config/startup.yaml", """
                global_settings:
                  environment: {PYTHONPATH: /app}
                agent_groups:
                  core:
                    TutorAgent: {script_path: /app/agents/tutor.py}
                """);
        LoadedConfig loaded = new InventoryLoader(Map.of(), Set.of(), Map.of("m", new MachineOverride(
                Map.of("PYTHONPATH", "${PWD}/agents"), Map.of("/app", "."), null))).load(new ConfigSource(config, "m", fleet));
        assertThat(loaded.machine().environment()).containsEntry("PYTHONPATH", fleet.resolve("agents").toString());
        assertThat(loaded.agents().getFirst().script().path()).isEqualTo(fleet.resolve("agents/tutor.py"));
    }

    // issue 16 item 7: pc2's ${PWD}/.. was expanded from fleetshell's own working directory
    @Test
    void pwdIsTheFleetRootNotFleetshellsWorkingDirectory() throws IOException {
        write("pc2_code/agents/translator.py", "");
        Path config = write("pc2_code/config/startup_config.yaml", """
                global_settings:
                  environment: {PYTHONPATH: "${PWD}/pc2_code:${PWD}"}
                pc2_services:
                  - {name: Translator, script_path: pc2_code/agents/translator.py}
                """);
        LoadedConfig loaded = new InventoryLoader(Map.of("PWD", "/somewhere/else"), Set.of()).load(new ConfigSource(config, null, null));
        assertThat(loaded.machine().fleetRoot()).isEqualTo(fleet);
        assertThat(loaded.machine().environment()).containsEntry("PYTHONPATH", fleet.resolve("pc2_code") + ":" + fleet);
        assertThat(loaded.notices()).isEmpty();
    }

    // issue 16 item 11: a docker_groups block nested under agent_groups, plus an indentation slip, refused the whole file
    @Test
    void blocksThatAreNotAgentsAreWarnedAboutWithTheirLineAndSkipped() throws IOException {
        write("agents/tutor.py", "");
        write("agents/memory.py", "");
        Path config = write("config/startup.yaml", """
                agent_groups:
                  core:
                    TutorAgent:
                      script_path: agents/tutor.py
                      port: 7200
                    MemoryAgent:
                    script_path: agents/memory.py
                  docker_groups:
                    description: "Containers started by docker compose"
                    agents: [TutorAgent, MemoryAgent]
                    infra_stack:
                      description: "Redis and the registry"
                      agents: [RedisCache]
                  legacy: [OldAgent, OlderAgent]
                """);
        LoadedConfig loaded = load(config, Map.of());
        assertThat(loaded.agents()).extracting(Agent::name).containsExactly("TutorAgent");
        assertThat(messages(loaded)).containsExactly(
                config + ":7: 'script_path' in group 'core' is the text 'agents/memory.py', not an agent; it looks like a field of "
                        + "MemoryAgent that lost its indentation: indent it under MemoryAgent. Skipped",
                config + ":9: 'description' in group 'docker_groups' is the text 'Containers started by docker compose', not an agent's settings: skipped",
                config + ":10: 'agents' in group 'docker_groups' is a list of 2 items, not an agent's settings: skipped",
                config + ":14: 'legacy' under agent_groups is a list of 2 items, not a group of agents: skipped",
                config + ":6: MemoryAgent is not an agent (no script_path): skipped",
                config + ":11: infra_stack in group docker_groups has no script_path; with an agents: list it describes other agents, not an agent: skipped");
    }

    @Test
    void whatIsAmbiguousOrUnsafeStillRefusesTheFile() throws IOException {
        write("a/tutor.py", "");
        write("b/tutor.py", "");
        Path config = write("config/startup.yaml", """
                agent_groups:
                  core:
                    TutorAgent: {script_path: agents/tutor.py}
                """);
        assertThatThrownBy(() -> new InventoryLoader(Map.of(), Set.of()).load(new ConfigSource(config, "m", fleet)))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessage(config + ":3: script of TutorAgent not at agents/tutor.py; 2 files named tutor.py under the fleet root "
                        + "(a/tutor.py, b/tutor.py): set script_path to the right one. Nothing was loaded from this file.");
    }

    // issue 17: "../../../../../tmp/x/NAME" made agents start write its log outside FLEETSHELL_HOME
    @Test
    void agentAndMachineNamesThatAreNotSafeFileNamesAreRefusedWithTheirLine() throws IOException {
        write("agents/x.py", "");
        Path config = write("config/startup.yaml", """
                agent_groups:
                  core:
                    "../../../../../tmp/x/NAME": {script_path: agents/x.py}
                """);
        assertThatThrownBy(() -> load(config, Map.of()))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code().exitStatus()).isEqualTo(2))
                .hasMessageStartingWith(config + ":3: agent name '../../../../../tmp/x/NAME' is not a safe file name");
        Path machine = write("config/other.yaml", """
                machine: "../evil"
                agent_groups:
                  core:
                    X: {script_path: agents/x.py}
                """);
        assertThatThrownBy(() -> load(machine, Map.of()))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code().exitStatus()).isEqualTo(2))
                .hasMessageStartingWith(machine + ":1: machine name '../evil' is not a safe file name");
    }

    @Test
    void anUnsetVariableWithoutDefaultInScriptPathOrConfigIsWarnedAbout() throws IOException {
        write("agents/x.py", "");
        Path config = write("config/startup.yaml", """
                agent_groups:
                  core:
                    X:
                      script_path: agents/${AGENT_DIR}x.py
                      config: {model: "${MODEL_NAME}", size: "${SIZE:-small}"}
                """);
        assertThat(messages(load(config, Map.of()))).containsExactly(
                config + ":4: script_path of X uses ${AGENT_DIR}, which is not set and has no default, so it expands to \"\": set AGENT_DIR or write ${AGENT_DIR:-DEFAULT}",
                config + ":5: config of X uses ${MODEL_NAME}, which is not set and has no default, so it expands to \"\": set MODEL_NAME or write ${MODEL_NAME:-DEFAULT}");
    }

    @Test
    void aDirectoryAsScriptPathIsWarnedAboutAtLoadWithTheReason() throws IOException {
        Files.createDirectories(fleet.resolve("agents/tutor.py"));
        write("agents/other.py", "");
        Path config = write("config/startup.yaml", """
                agent_groups:
                  core:
                    Tutor: {script_path: agents/tutor.py}
                    Other: {script_path: agents/other.py}
                """);
        LoadedConfig loaded = load(config, Map.of());
        assertThat(loaded.agents().getFirst().script().found()).isFalse();
        assertThat(messages(loaded)).containsExactly(config
                + ":3: Tutor: script at agents/tutor.py is a directory, not a script file: set script_path to the agent's file");
    }

    // issue 17: 5,000 nested [ ended in a StackOverflowError with ~1,000 lines of stack
    @Test
    void deepNestingIsAClearErrorWithTheLimit() throws IOException {
        Path config = write("config/deep.yaml", "agent_groups:\n  core: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
        assertThatThrownBy(() -> load(config, Map.of()))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessage(config + ":2: collections nested more than 64 deep (the nesting limit); a startup config needs a few levels. "
                        + "Nothing was loaded from this file.");
    }

    @Test
    void deepBlockNestingIsAClearErrorToo() throws IOException {
        Path config = write("config/deep-block.yaml", "agent_groups:\n  core:\n    " + "- ".repeat(5000) + "x\n");
        assertThatThrownBy(() -> load(config, Map.of()))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessage(config + ": nested too deeply to read (over the parser's nesting limit); a startup config needs a few levels. "
                        + "Nothing was loaded from this file.");
    }

    // issue 17: a 50 MB YAML was called "broken YAML"
    @Test
    void aHugeFileIsTooLargeWithTheLimit() throws IOException {
        Path config = fleet.resolve("big.yaml");
        byte[] line = "# padding padding padding padding padding padding padding padding padding padding\n".getBytes();
        try (var out = Files.newOutputStream(config)) {
            out.write("agent_groups:\n".getBytes());
            for (int written = 0; written < 50 << 20; written += line.length) {
                out.write(line);
            }
        }
        assertThatThrownBy(() -> load(config, Map.of()))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessage(config + " is too large for a startup config: 50.0 MB, the limit is 8 MB. Nothing was loaded from it.");
    }
}
