package io.fleetshell.engine.inventory;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartupConfigReaderTest {

    private final StartupConfigReader reader = new StartupConfigReader();
    private final Path file = Path.of("/fleet/config/startup_config.yaml");

    @Test
    void readsAgentGroupsWithTheLineOfEachEntry() {
        StartupConfig config = reader.read(file, """
                global_settings:
                  environment:
                    LOG_LEVEL: INFO
                agent_groups:
                  core_services:
                    ServiceRegistry:
                      script_path: agents/service_registry.py
                      port: ${PORT_OFFSET}+7200
                  memory_system:
                    MemoryOrchestrator:
                      script_path: agents/memory.py
                      required: true
                      dependencies: [ServiceRegistry]
                      config: {db: ":memory:", size: 3}
                """);
        assertThat(config.entries()).extracting(StartupConfig.Entry::group, StartupConfig.Entry::name, StartupConfig.Entry::line)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("core_services", "ServiceRegistry", 6),
                        org.assertj.core.groups.Tuple.tuple("memory_system", "MemoryOrchestrator", 10));
        StartupConfig.Entry memory = config.entries().get(1);
        assertThat(memory.fields()).containsEntry("required", true)
                .containsEntry("dependencies", List.of("ServiceRegistry"))
                .containsEntry("config", Map.of("db", ":memory:", "size", 3L));
        assertThat(memory.lineOf("dependencies")).isEqualTo(13);
        assertThat(config.globalSettings()).containsKey("environment");
        assertThat(config.machineKey()).isNull();
    }

    @Test
    void readsAServiceListAndTakesTheMachineFromItsKey() {
        StartupConfig config = reader.read(file, """
                pc2_services:
                  - name: TutorAgent
                    script_path: pc2_code/agents/tutor_agent.py
                    host: 0.0.0.0
                    port: ${PORT_OFFSET}+7108
                  - name: RedisCache
                    port: 6379
                resource_limits:
                  cpu: 2
                """);
        assertThat(config.machineKey()).isEqualTo("pc2");
        assertThat(config.entries()).extracting(StartupConfig.Entry::name, StartupConfig.Entry::line)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("TutorAgent", 2), org.assertj.core.groups.Tuple.tuple("RedisCache", 6));
        assertThat(config.entries().getFirst().group()).isEqualTo("pc2_services");
    }

    @Test
    void brokenYamlNamesTheFileAndLine() {
        assertThatThrownBy(() -> reader.read(file, """
                agent_groups:
                  core:
                    A:
                      script_path: a.py
                      port: [7200
                    B:
                      script_path: b.py
                """))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageStartingWith(file + ":6:")
                .hasMessageContaining("Nothing was loaded");
    }

    @Test
    void aFileInNeitherFormatIsRejected() {
        assertThatThrownBy(() -> reader.read(file, "services_list: []\nfoo: 1\n"))
                .hasMessageContaining("no agent_groups: mapping and no <machine>_services: list");
        assertThatThrownBy(() -> reader.read(file, "- just\n- a list\n")).hasMessageContaining("not a mapping");
        assertThatThrownBy(() -> reader.read(file, "")).hasMessageContaining("empty");
    }

    @Test
    void duplicateKeysAreBrokenYaml() {
        assertThatThrownBy(() -> reader.read(file, """
                agent_groups:
                  core:
                    A: {script_path: a.py}
                    A: {script_path: b.py}
                """)).hasMessageStartingWith(file + ":4:");
    }

    // Issue 16 item 11: a group that is a list of names is not agents; it is skipped with its line instead of refusing the file.
    @Test
    void aGroupThatIsNotAMappingNamesItsLine() {
        StartupConfig config = reader.read(file, "agent_groups:\n  core: [A, B]\n");
        assertThat(config.entries()).isEmpty();
        assertThat(config.notices()).extracting(Notice::toString)
                .containsExactly(file + ":2: 'core' under agent_groups is a list of 2 items, not a group of agents: skipped");
    }
}
