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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InventoryLoaderTest {

    @TempDir
    Path fleet;

    private final InventoryLoader loader = new InventoryLoader(Map.of("PORT_OFFSET", "10"), InventoryLoader.DEFAULT_INFRASTRUCTURE);

    private Path write(String relative, String text) throws IOException {
        Path file = fleet.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private LoadedConfig load(Path config) {
        return loader.load(new ConfigSource(config, null, null));
    }

    @Test
    void loadsAgentGroupsExpandingPortsAndInferringRootAndMachine() throws IOException {
        write("main_pc_code/agents/service_registry.py", "");
        write("main_pc_code/agents/tutor.py", "");
        Path config = write("main_pc_code/config/startup_config.yaml", """
                global_settings:
                  python: /usr/bin/python3
                  environment: {PYTHONPATH: "${FLEET_HOME:-/srv}/lib", LOG_LEVEL: INFO, TRACE: "${TRACE:-off}"}
                  health_checks: {timeout_seconds: 3}
                agent_groups:
                  core:
                    ServiceRegistry:
                      script_path: main_pc_code/agents/service_registry.py
                      port: ${PORT_OFFSET}+7200
                      health_check_port: ${PORT_OFFSET}+8200
                      required: true
                    TutorAgent:
                      script_path: main_pc_code/agents/tutor.py
                      port: 7300
                      dependencies: [ServiceRegistry]
                      config: {model: "${MODEL:-small}", layers: 2}
                """);
        LoadedConfig loaded = load(config);
        assertThat(loaded.machine().name()).isEqualTo("mainpc");
        assertThat(loaded.machine().fleetRoot()).isEqualTo(fleet.toAbsolutePath());
        assertThat(loaded.machine().python()).isEqualTo("/usr/bin/python3");
        assertThat(loaded.machine().environment()).containsEntry("PYTHONPATH", "/srv/lib");
        // A value referring to its own name falls back to its default; it once expanded to its own text.
        assertThat(loaded.machine().environment()).containsEntry("TRACE", "off");
        assertThat(loaded.machine().healthCheck()).containsEntry("timeout_seconds", 3L);
        assertThat(loaded.sha256()).hasSize(64);

        Agent registry = loaded.agents().getFirst();
        assertThat(registry.id()).isEqualTo(new AgentId("mainpc", "ServiceRegistry"));
        assertThat(registry.port()).isEqualTo(7210);
        assertThat(registry.healthCheckPort()).isEqualTo(8210);
        assertThat(registry.required()).isTrue();
        assertThat(registry.infrastructure()).isTrue();
        assertThat(registry.script().status()).isEqualTo(ScriptResolution.Status.FOUND);
        assertThat(registry.configLine()).isEqualTo(7);

        Agent tutor = loaded.agents().get(1);
        assertThat(tutor.infrastructure()).isFalse();
        assertThat(tutor.dependencies()).containsExactly("ServiceRegistry");
        assertThat(tutor.config()).containsEntry("model", "small").containsEntry("layers", 2L);
        assertThat(loaded.notices()).extracting(Notice::toString).containsExactly(config + ":3: PYTHONPATH entry /srv/lib does not exist "
                + "on this machine; agents will not find what is there. If it is a container path, map it to the fleet root in settings.yaml: "
                + "machines: {mainpc: {path_map: {/srv/lib: .}}}, then inventory refresh");
    }

    @Test
    void serviceListSkipsEntriesWithoutScriptAndFindsMovedScripts() throws IOException {
        write("pc2_code/agents/services/tutor_agent.py", "");
        write("pc2_code/agents/legacy/TranslationService.py", "");
        Path config = write("pc2_code/config/startup_config.yaml", """
                pc2_services:
                  - name: TutorAgent
                    script_path: pc2_code/agents/tutor_agent.py
                    port: 7100
                  - name: TranslationService
                    script_path: pc2_code/agents/translation.py
                  - name: RedisCache
                    port: 6379
                  - name: GhostAgent
                    script_path: pc2_code/agents/ghost.py
                """);
        LoadedConfig loaded = load(config);
        assertThat(loaded.machine().name()).isEqualTo("pc2");
        assertThat(loaded.agents()).extracting(Agent::name).containsExactly("TutorAgent", "TranslationService", "GhostAgent");

        Agent tutor = loaded.agents().getFirst();
        assertThat(tutor.script().status()).isEqualTo(ScriptResolution.Status.FOUND_ELSEWHERE);
        assertThat(tutor.script().path()).isEqualTo(fleet.resolve("pc2_code/agents/services/tutor_agent.py"));
        assertThat(tutor.script().detail()).contains("found at pc2_code/agents/services/tutor_agent.py");

        Agent translation = loaded.agents().get(1);
        assertThat(translation.script().path()).isEqualTo(fleet.resolve("pc2_code/agents/legacy/TranslationService.py"));

        Agent ghost = loaded.agents().get(2);
        assertThat(ghost.script().found()).isFalse();
        assertThat(ghost.script().detail()).startsWith("not found");

        assertThat(loaded.notices()).extracting(Notice::message)
                .anySatisfy(m -> assertThat(m).isEqualTo("RedisCache is not an agent (no script_path): skipped"))
                .anySatisfy(m -> assertThat(m).startsWith("GhostAgent: script not found"));
        assertThat(loaded.notices()).filteredOn(n -> n.message().startsWith("RedisCache")).first()
                .extracting(Notice::line).isEqualTo(7);
    }

    @Test
    void agentCommandsComeFromTheEntryElseFromTheMachinesGlobalSettings() throws IOException {
        write("agents/tutor.py", "");
        write("agents/registry.py", "");
        Path config = write("config/startup.yaml", """
                global_settings:
                  restart_command: systemctl --user restart {name}
                agent_groups:
                  g:
                    TutorAgent:
                      script_path: agents/tutor.py
                      test_command: python3 -m unittest tests.test_tutor
                      restart_command: supervisorctl restart tutor-${PORT_OFFSET}
                    ServiceRegistry: {script_path: agents/registry.py}
                """);
        List<Agent> agents = load(config).agents();
        assertThat(agents.get(0).commands()).isEqualTo(new AgentCommands("python3 -m unittest tests.test_tutor", "supervisorctl restart tutor-10"));
        assertThat(agents.get(1).commands()).isEqualTo(new AgentCommands(null, "systemctl --user restart {name}"));
    }

    // Issue 16 item 11 made an ambiguous script refuse the file (it was a missing script before): guessing could optimize the wrong file.
    @Test
    void twoCandidatesAreReportedNotGuessed() throws IOException {
        write("a/tutor.py", "");
        write("b/tutor.py", "");
        Path config = write("config/startup.yaml", """
                agent_groups:
                  g:
                    TutorAgent: {script_path: agents/tutor.py}
                """);
        assertThatThrownBy(() -> loader.load(new ConfigSource(config, "m1", fleet)))
                .hasMessageContaining("2 files named tutor.py", "a/tutor.py", "b/tutor.py", "Nothing was loaded");
    }

    @Test
    void pathsLeavingTheFleetRootAreRefusedAndNothingLoads() throws IOException {
        write("agents/ok.py", "");
        Path config = write("config/startup.yaml", """
                agent_groups:
                  g:
                    Ok: {script_path: agents/ok.py}
                    Sneaky:
                      script_path: ../../etc/passwd
                """);
        assertThatThrownBy(() -> loader.load(new ConfigSource(config, "m1", fleet)))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PATH_ESCAPES_ROOT))
                .hasMessageContaining(config + ":5:")
                .hasMessageContaining("outside the fleet root")
                .hasMessageContaining("--root");
    }

    @Test
    void absolutePathsElsewhereAndSymlinksLeadingOutAreRefused() throws IOException {
        Path outside = Files.createTempFile("outside", ".py");
        try {
            Path config = write("config/abs.yaml", "agent_groups:\n  g:\n    A: {script_path: " + outside + "}\n");
            assertThatThrownBy(() -> loader.load(new ConfigSource(config, "m1", fleet)))
                    .hasMessageContaining("outside the fleet root");

            Files.createDirectories(fleet.resolve("agents"));
            Files.createSymbolicLink(fleet.resolve("agents/link.py"), outside);
            Path linked = write("config/link.yaml", "agent_groups:\n  g:\n    A: {script_path: agents/link.py}\n");
            assertThatThrownBy(() -> loader.load(new ConfigSource(linked, "m1", fleet)))
                    .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PATH_ESCAPES_ROOT))
                    .hasMessageContaining(outside.toRealPath().toString());
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void absolutePathsInsideTheRootAreFine() throws IOException {
        Path script = write("agents/a.py", "");
        Path config = write("config/abs.yaml", "agent_groups:\n  g:\n    A: {script_path: " + script + "}\n");
        assertThat(loader.load(new ConfigSource(config, "m1", fleet)).agents().getFirst().script().path()).isEqualTo(script);
    }

    @Test
    void duplicatePortsOnAMachineAreWarned() throws IOException {
        Path config = write("config/ports.yaml", """
                agent_groups:
                  g:
                    A: {script_path: a.py, port: 7200}
                    B: {script_path: b.py, port: 7100, health_check_port: 7200}
                """);
        LoadedConfig loaded = loader.load(new ConfigSource(config, "m1", fleet));
        assertThat(loaded.notices()).extracting(Notice::message)
                .contains("port 7200 of B is also used by A on machine m1 (ports.yaml:3); give one of them another port");
    }

    @Test
    void badPortsNameTheLineAndTheFix() throws IOException {
        Path config = write("config/bad.yaml", """
                agent_groups:
                  g:
                    A:
                      script_path: a.py
                      port: ${PORT_OFFSET}+seventy
                """);
        assertThatThrownBy(() -> loader.load(new ConfigSource(config, "m1", fleet)))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining(config + ":5:")
                .hasMessageContaining("expands to '10+seventy'");
        Path high = write("config/high.yaml", "agent_groups:\n  g:\n    A: {script_path: a.py, port: 70000}\n");
        assertThatThrownBy(() -> loader.load(new ConfigSource(high, "m1", fleet))).hasMessageContaining("outside 1-65535");
    }

    @Test
    void theSameAgentTwiceInOneFileIsAnError() throws IOException {
        Path config = write("config/twice.yaml", """
                agent_groups:
                  g1:
                    A: {script_path: a.py}
                  g2:
                    A: {script_path: b.py}
                """);
        assertThatThrownBy(() -> loader.load(new ConfigSource(config, "m1", fleet)))
                .hasMessageContaining(config + ":5: agent A is listed twice (first at line 3)");
    }

    @Test
    void infrastructureCanBeSetPerEntryAndTheListIsConfigurable() throws IOException {
        Path config = write("config/infra.yaml", """
                agent_groups:
                  g:
                    ServiceRegistry: {script_path: a.py, infrastructure: false}
                    Gateway: {script_path: b.py}
                """);
        InventoryLoader custom = new InventoryLoader(Map.of(), java.util.Set.of("Gateway"));
        LoadedConfig loaded = custom.load(new ConfigSource(config, "m1", fleet));
        assertThat(loaded.agents()).extracting(Agent::name, Agent::infrastructure)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ServiceRegistry", false),
                        org.assertj.core.groups.Tuple.tuple("Gateway", true));
    }

    @Test
    void missingFilesAndInvalidMachineNamesAreBadInput() throws IOException {
        assertThatThrownBy(() -> load(fleet.resolve("nope.yaml")))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FILE_NOT_FOUND))
                .hasMessageContaining("does not exist");
        Path config = write("config/x.yaml", "agent_groups:\n  g:\n    A: {script_path: a.py}\n");
        assertThatThrownBy(() -> loader.load(new ConfigSource(config, "bad name!", fleet))).hasMessageContaining("machine name");
        assertThat(loader.load(new ConfigSource(config, null, fleet)).machine().name()).isEqualTo("local");
    }

    @Test
    void snakeCaseHandlesAcronyms() {
        assertThat(ScriptResolver.snakeCase("TutorAgent")).isEqualTo("tutor_agent");
        assertThat(ScriptResolver.snakeCase("HTTPGateway")).isEqualTo("http_gateway");
        assertThat(ScriptResolver.snakeCase("ModelManagerAgent2")).isEqualTo("model_manager_agent2");
    }
}
