package io.fleetshell.engine.inventory;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code inventory load pc2:/PATH} (issue 20): the demo's pc2 tree lives under another root (with a space and a
 * quote in its path) on a machine behind a real sshd; the config is read there, the fleet root inferred or taken
 * from settings, the scripts resolved (and searched for) there, and the machine keeps how it is reached.
 */
class RemoteInventoryTest {

    @TempDir
    static Path dir;
    static Sshd sshd;
    static Path remoteRoot;
    static FleetHome home;

    @BeforeAll
    static void start() throws Exception {
        sshd = Sshd.start(dir.resolve("sshd"), "pc2-host");
        Path demo = new DemoFleet().install(dir.resolve("demo"), false).dir();
        remoteRoot = dir.resolve("srv/fleet's root");
        copy(demo.resolve("pc2_code"), remoteRoot.resolve("pc2_code"));
        copy(demo.resolve("common"), remoteRoot.resolve("common"));
        home = new FleetHome(dir.resolve("home"));
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static InventoryLoader loader(Path root) {
        Map<String, MachineOverride> machines = Map.of("pc2", new MachineOverride(Map.of(), Map.of(), null, sshd.access(), root));
        return new InventoryLoader(Map.of("PORT_OFFSET", "0"), Set.of(), machines, new Hosts(home, machines));
    }

    @Test
    void aConfigOnTheMachineLoadsWithItsScriptsResolvedThere() {
        Path config = remoteRoot.resolve("pc2_code/config/startup_config.yaml");
        LoadedConfig loaded = loader(null).load(new ConfigSource(config, "pc2", null, true));

        assertThat(loaded.source().onMachine()).isTrue();
        assertThat(loaded.source().describe()).isEqualTo("pc2:" + config);
        assertThat(loaded.machine().ssh()).isEqualTo(sshd.access());
        assertThat(loaded.machine().fleetRoot()).isEqualTo(remoteRoot);
        assertThat(loaded.agents()).extracting(Agent::name).contains("TranslationService", "CacheManager");
        Agent translation = loaded.agents().stream().filter(a -> a.name().equals("TranslationService")).findFirst().orElseThrow();
        assertThat(translation.script().status()).isEqualTo(ScriptResolution.Status.FOUND);
        assertThat(translation.script().path()).isEqualTo(remoteRoot.resolve("pc2_code/agents/translation_service.py"));
        // Searched for by name on the host: the config's path is not where the file is.
        Agent cache = loaded.agents().stream().filter(a -> a.name().equals("CacheManager")).findFirst().orElseThrow();
        assertThat(cache.script().status()).isEqualTo(ScriptResolution.Status.FOUND_ELSEWHERE);
        assertThat(cache.script().path()).isEqualTo(remoteRoot.resolve("pc2_code/agents/ForPC2/cache_manager.py"));
        // It went over the shared connection: its socket is under FLEETSHELL_HOME.
        assertThat(home.sshSockets().toFile().list()).isNotEmpty();
    }

    @Test
    void theRootFromSettingsIsUsedAndAMissingOneIsAClearError() {
        Path config = remoteRoot.resolve("pc2_code/config/startup_config.yaml");
        assertThat(loader(remoteRoot).load(new ConfigSource(config, "pc2", null, true)).machine().fleetRoot()).isEqualTo(remoteRoot);
        Path missing = dir.resolve("srv/no such root");
        assertThatThrownBy(() -> loader(missing).load(new ConfigSource(config, "pc2", null, true)))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FILE_NOT_FOUND))
                .hasMessageContaining("fleet root " + missing + " on machine pc2 (pc2-host) does not exist")
                .hasMessageContaining("machines.pc2.root");
    }

    @Test
    void aMissingConfigOrAnUnconfiguredMachineSaysSo() {
        assertThatThrownBy(() -> loader(null).load(new ConfigSource(remoteRoot.resolve("nope.yaml"), "pc2", null, true)))
                .hasMessageContaining("startup config " + remoteRoot.resolve("nope.yaml") + " on machine pc2 (pc2-host) does not exist");
        assertThatThrownBy(() -> loader(null).load(new ConfigSource(remoteRoot.resolve("nope.yaml"), "pc3", null, true)))
                .hasMessageContaining("machine pc3 has no ssh: setting");
    }

    @Test
    void aConfigHereDescribingARemoteMachineNeedsItsRoot() throws IOException {
        Path local = Files.writeString(dir.resolve("pc2_here.yaml"), """
                global_settings:
                  ssh: pc2-host
                  ssh_config: %s
                pc2_services:
                  - name: TranslationService
                    script_path: pc2_code/agents/translation_service.py
                """.formatted(sshd.sshConfig()));
        InventoryLoader plain = new InventoryLoader(Map.of(), Set.of(), Map.of(), new Hosts(home, Map.of()));
        assertThatThrownBy(() -> plain.load(new ConfigSource(local, "pc2", null)))
                .hasMessageContaining("fleetshell cannot guess the fleet root there");
        LoadedConfig loaded = plain.load(new ConfigSource(local, "pc2", remoteRoot));
        assertThat(loaded.machine().ssh()).isEqualTo(new SshAccess("pc2-host", null, null, sshd.sshConfig(), Map.of(), false, 10, null));
        assertThat(loaded.agents().getFirst().script().status()).isEqualTo(ScriptResolution.Status.FOUND);
    }
}
