package io.fleetshell.engine.settings;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.MachineOverride;
import io.fleetshell.engine.host.SshAccess;
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
                .hasMessageStartingWith(typo + ":3: ").hasMessageContaining("machines.mainpc.pathmap is not a setting; a machine takes env:, path_map:, python:, root:, ssh:");
        Path relative = Files.writeString(home.resolve("relative.yaml"), "machines:\n  mainpc:\n    path_map: {app: .}\n");
        assertThatThrownBy(() -> Settings.read(relative)).hasMessageContaining("machines.mainpc.path_map key 'app' is not an absolute path");
    }

    @Test
    void aRemoteMachineIsReadWithItsTransportRootAndInterpreter() throws IOException {
        Path file = Files.writeString(home.resolve("remote.yaml"), """
                machines:
                  pc2:
                    ssh: deploy@10.0.0.12
                    port: 2222
                    identity_file: ~/.ssh/fleet_ed25519
                    root: /srv/fleet
                    python: /srv/venv/bin/python3
                    java: /opt/jdk-25/bin/java
                    tunnel: true
                    forks: 4
                    options: {StrictHostKeyChecking: accept-new}
                """);
        MachineOverride pc2 = Settings.read(file).machines().get("pc2");
        assertThat(pc2.ssh()).isEqualTo(new SshAccess("deploy@10.0.0.12", 2222, Path.of(System.getProperty("user.home"), ".ssh/fleet_ed25519"),
                null, Map.of("StrictHostKeyChecking", "accept-new"), true, 4, null));
        assertThat(pc2.ssh().stateDir()).isEqualTo(".fleetshell/remote");
        assertThat(pc2.root()).isEqualTo(Path.of("/srv/fleet"));
        assertThat(pc2.python()).isEqualTo("/srv/venv/bin/python3");
        assertThat(pc2.javaLauncher()).isEqualTo("/opt/jdk-25/bin/java");
        assertThat(Settings.read(Files.writeString(home.resolve("local.yaml"), "machines:\n  mainpc:\n    python: python3\n")).machines()
                .get("mainpc").ssh()).isNull();
    }

    @Test
    void aWrongTransportValueNamesFileLineAndFix() throws IOException {
        Path port = Files.writeString(home.resolve("port.yaml"), "machines:\n  pc2:\n    ssh: deploy@h\n    port: many\n");
        assertThatThrownBy(() -> Settings.read(port)).hasMessage(port + ":4: machines.pc2.port 'many' is not a whole number from 1 to 65535; write it like port: 22");
        Path lonely = Files.writeString(home.resolve("lonely.yaml"), "machines:\n  pc2:\n    forks: 3\n");
        assertThatThrownBy(() -> Settings.read(lonely)).hasMessage(lonely + ":3: machines.pc2.forks is set but machines.pc2.ssh is not; add ssh: user@host, or remove forks");
        Path dash = Files.writeString(home.resolve("dash.yaml"), "machines:\n  pc2:\n    ssh: -oProxyCommand=evil\n");
        assertThatThrownBy(() -> Settings.read(dash)).hasMessageStartingWith(dash + ":3: machines.pc2.ssh '-oProxyCommand=evil' is not an ssh destination");
        Path root = Files.writeString(home.resolve("root.yaml"), "machines:\n  pc2:\n    ssh: h\n    root: srv/fleet\n");
        assertThatThrownBy(() -> Settings.read(root)).hasMessageStartingWith(root + ":4: machines.pc2.root 'srv/fleet' is not an absolute path");
        Path tunnel = Files.writeString(home.resolve("tunnel.yaml"), "machines:\n  pc2:\n    ssh: h\n    tunnel: maybe\n");
        assertThatThrownBy(() -> Settings.read(tunnel)).hasMessageStartingWith(tunnel + ":4: machines.pc2.tunnel 'maybe' is not true or false");
    }
}
