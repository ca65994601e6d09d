package io.fleetshell.engine.python.shared;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.MachineOverride;
import io.fleetshell.engine.optimize.PythonOptimizer;
import io.fleetshell.engine.process.Leftovers;
import io.fleetshell.engine.proof.EffectFloor;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.python.pattern.ImporterReads;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shared module's proof over its dependents on a machine reached over ssh (a real sshd in a mount namespace of its
 * own, whose fleet root this JVM cannot see): the copy of the fleet root with the change is made on the host, and an
 * interrupt in the middle of the proof removes it there.
 */
class RemoteDependentsProofTest {

    @TempDir
    static Path dir;
    static Sshd sshd;
    static Path root;
    static Host host;
    static Inventory inventory;
    static Hosts hosts;

    @BeforeAll
    static void start() throws Exception {
        Path remote = dir.resolve("srv");
        sshd = Sshd.startIsolated(dir.resolve("sshd"), "sharedhost", remote, 0);
        root = remote.resolve("fleet");
        Path local = new DemoFleet().install(dir.resolve("demo"), false).dir();
        SshAccess a = sshd.access();
        SshAccess access = new SshAccess(a.destination(), a.port(), a.identityFile(), a.sshConfig(), a.options(), a.tunnel(), a.forks(),
                remote.resolve("state").toString());
        Map<String, MachineOverride> machines = Map.of("pc2", new MachineOverride(Map.of(), Map.of(), null, access, root));
        hosts = new Hosts(new FleetHome(dir.resolve("home")), machines);
        host = hosts.of("pc2", access, "python3");
        sshd.copyIn(local.resolve("pc2_code"), root.resolve("pc2_code"));
        sshd.copyIn(local.resolve("common"), root.resolve("common"));
        assertThat(root.resolve("common")).doesNotExist();
        LoadedConfig loaded = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE, machines, hosts)
                .load(new ConfigSource(root.resolve("pc2_code/config/startup_config.yaml"), "pc2", root, true));
        inventory = new Inventory(List.of(loaded.machine()), loaded.agents());
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    @Test
    void anInterruptedProofRemovesItsCopyOfTheFleetRootFromTheHost() throws Exception {
        Agent dependent = inventory.agents().stream().filter(a -> a.name().equals("TranslationService")).findFirst().orElseThrow();
        SharedModuleOptimizer modules = new SharedModuleOptimizer(new PythonOptimizer(new PythonFacts(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES,
                null, null, hosts), new DependentsProof(200, 0.05, EffectFloor.DEFAULT, Duration.ofSeconds(60), Duration.ofMinutes(2), null));
        List<SharedModuleOptimizer.SharedModule> both = List.of(
                new SharedModuleOptimizer.SharedModule("common.text_features", root.resolve("common/text_features.py"), root, List.of(dependent),
                        ImporterReads.NONE),
                new SharedModuleOptimizer.SharedModule("common.spelling", root.resolve("common/spelling.py"), root, List.of(dependent),
                        ImporterReads.NONE));
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread proving = Thread.ofPlatform().start(() -> {
            try {
                modules.optimize(inventory, both, null, PythonPatterns.all());
            } catch (Throwable e) {
                ended.set(e);
            }
        });
        Await.until("the proof's copy of the fleet root on the host", Duration.ofSeconds(120), () -> !copies().isEmpty());
        proving.interrupt();
        proving.join(Duration.ofSeconds(120));

        assertThat(proving.isAlive()).isFalse();
        assertThat(ended.get()).as("the interrupted proof ends with an error, not a verdict").isNotNull();
        assertThat(copies()).as("the copy is removed from the host").isEmpty();
        assertThat(sshd.exists(root.resolve("common/_fleetshell_lazy.py"))).isFalse();
    }

    /** This process's copies of the fleet root in the host's temporary directory, as the host lists them. */
    private static List<String> copies() {
        try {
            return host.list(host.temporaryDirectory()).stream()
                    .filter(n -> n.startsWith("fleetshell-proof-fleet") && n.contains(Leftovers.mark())).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
