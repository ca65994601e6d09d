package io.fleetshell.engine.settings;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.MachineOverride;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** settings.yaml's {@code machines:} (issue 16 item 7): per-machine env, path_map and python, and clear errors. */
class SettingsMachinesTest {

    @TempDir
    Path home;

    @Test
    void machinesAreReadWithEnvPathMapAndPython() throws IOException {
        Path file = Files.writeString(home.resolve("settings.yaml"), """
                machines:
                  mainpc:
                    path_map: {/app: ., /models: /srv/models}
                    env: {LOG_LEVEL: DEBUG}
                    python: /opt/venv/bin/python
                """);
        MachineOverride mainpc = Settings.read(file).machines().get("mainpc");
        assertThat(mainpc).isEqualTo(new MachineOverride(Map.of("LOG_LEVEL", "DEBUG"), Map.of("/app", ".", "/models", "/srv/models"),
                "/opt/venv/bin/python"));
        assertThat(mainpc.mapPathList("/app:/app/common:/usr/lib:/models/x", Path.of("/fleet")))
                .isEqualTo("/fleet:/fleet/common:/usr/lib:/srv/models/x");
        assertThat(mainpc.mapScriptPath("/app/agents/tutor.py")).isEqualTo("agents/tutor.py");
        assertThat(mainpc.mapScriptPath("/application/x.py")).isEqualTo("/application/x.py");
        assertThat(Settings.read(home.resolve("absent.yaml")).machines()).isEmpty();
    }

    @Test
    void aMistypedKeyOrARelativePrefixIsAClearError() throws IOException {
        Path typo = Files.writeString(home.resolve("typo.yaml"), "machines:\n  mainpc:\n    pathmap: {/app: .}\n");
        assertThatThrownBy(() -> Settings.read(typo))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessage(typo + ": machines.mainpc.pathmap is not a setting; a machine takes env:, path_map: and python:");
        Path relative = Files.writeString(home.resolve("relative.yaml"), "machines:\n  mainpc:\n    path_map: {app: .}\n");
        assertThatThrownBy(() -> Settings.read(relative)).hasMessageContaining("machines.mainpc.path_map key 'app' is not an absolute path");
    }
}
