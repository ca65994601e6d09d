package io.fleetshell.engine.optimize;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.host.SshHost;
import io.fleetshell.engine.host.Tunnels;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.MachineOverride;
import io.fleetshell.engine.java.HeavyCalls;
import io.fleetshell.engine.java.JavaBuildCache;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.testing.Ports;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A machine with {@code tunnel: true} (a real sshd in a mount namespace of its own): the forwards a proof's replays open
 * over the host's shared connection are cancelled when the proof is done, so none is left in the ssh master; a forward
 * asked for outside any scope stays (a health probe's, reused by the next probe of the command).
 */
class RemoteTunnelTest {

    @TempDir
    static Path dir;
    static Sshd sshd;
    static Host host;
    static Inventory inventory;
    static Hosts hosts;

    @BeforeAll
    static void start() throws Exception {
        Path remote = dir.resolve("srv");
        sshd = Sshd.startIsolated(dir.resolve("sshd"), "tunnelhost", remote, 0);
        Path root = remote.resolve("fleet");
        Path local = new DemoFleet().install(dir.resolve("demo"), false).dir();
        Path config = local.resolve("pc2_code/config/startup_config.yaml");
        java.nio.file.Files.writeString(config, new String(java.nio.file.Files.readAllBytes(config), StandardCharsets.UTF_8)
                .replace("${PORT_OFFSET}+", "15000+"));
        SshAccess a = sshd.access();
        SshAccess access = new SshAccess(a.destination(), a.port(), a.identityFile(), a.sshConfig(), a.options(), true, a.forks(),
                remote.resolve("state").toString());
        Map<String, MachineOverride> machines = Map.of("pc2", new MachineOverride(Map.of(), Map.of(), null, access, root));
        hosts = new Hosts(new FleetHome(dir.resolve("home")), machines);
        host = hosts.of("pc2", access, "python3");
        sshd.copyIn(local.resolve("pc2_code"), root.resolve("pc2_code"));
        sshd.copyIn(local.resolve("common"), root.resolve("common"));
        LoadedConfig loaded = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE, machines, hosts)
                .load(new ConfigSource(root.resolve("pc2_code/config/startup_config.yaml"), "pc2", root, true));
        inventory = new Inventory(List.of(loaded.machine()), loaded.agents());
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    @Test
    void aCacheProofsReplaysGoThroughForwardsThatAreCancelledWhenItIsDone() throws Exception {
        Agent agent = inventory.agents().stream().filter(a -> a.name().equals("RoutePlanner")).findFirst().orElseThrow();
        List<String> before = Tunnels.open();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicBoolean proving = new AtomicBoolean(true);
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (proving.get()) {
                seen.addAll(Tunnels.open());
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Optimization made;
        try {
            Optimizers.Setup setup = new Optimizers.Setup(PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, dir.resolve("home/cache/pycache"),
                    HeavyCalls.defaults(), JavaBuildCache.in(dir.resolve("home/cache/javac")), hosts);
            made = Optimizers.of(setup, new Optimizers.ProofSettings(2, 0.05, Duration.ofSeconds(60), Duration.ofMinutes(2)))
                    .optimize(inventory, agent, "cache_optimization");
        } finally {
            proving.set(false);
            watcher.join();
        }

        ProofCheck answers = made.proof().checks().stream().filter(c -> c.name().equals("same answers")).findFirst().orElseThrow();
        assertThat(answers.outcome()).as(answers.detail()).isEqualTo(ProofCheck.Outcome.PASSED);
        seen.removeAll(before);
        assertThat(seen).as("the replays reached the agent through forwards of the host's connection").isNotEmpty();
        assertThat(Tunnels.open()).as("every forward the proof opened is cancelled").isEqualTo(before);
        for (String spec : seen) {
            int local = Integer.parseInt(spec.split(":")[1]);
            assertThat(listening(local)).as("nothing listens on %s any more", spec).isFalse();
        }
    }

    @Test
    void aForwardOfAScopeIsCancelledWhenItClosesAndOneAskedForOutsideStays() throws Exception {
        SshHost ssh = (SshHost) host;
        int port = Ports.free();
        InetSocketAddress scoped;
        try (Tunnels.Scope forwards = Tunnels.scope()) {
            scoped = Tunnels.reach(ssh, "127.0.0.1", port);
            assertThat(listening(scoped.getPort())).as("the master listens on the forward's local port").isTrue();
            assertThat(Tunnels.reach(ssh, "127.0.0.1", port)).as("one forward per target within the scope").isEqualTo(scoped);
        }
        assertThat(listening(scoped.getPort())).as("cancelled with its scope").isFalse();
        assertThat(Tunnels.open()).noneMatch(spec -> spec.endsWith(":" + port));

        int other = Ports.free();
        InetSocketAddress kept = Tunnels.reach(ssh, "127.0.0.1", other);
        try (Tunnels.Scope forwards = Tunnels.scope()) {
            assertThat(Tunnels.reach(ssh, "127.0.0.1", other)).isEqualTo(kept);
        }
        assertThat(listening(kept.getPort())).as("asked for outside a scope: kept for the next probe").isTrue();
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
