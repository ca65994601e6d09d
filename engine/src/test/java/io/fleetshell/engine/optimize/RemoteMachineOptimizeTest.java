package io.fleetshell.engine.optimize;

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
import io.fleetshell.engine.java.HeavyCalls;
import io.fleetshell.engine.java.JavaBuildCache;
import io.fleetshell.engine.process.Leftovers;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code optimize} of an agent of a machine reached over ssh (a real sshd in a mount namespace of its own, whose fleet
 * root and state directory this JVM cannot see) reads, analyzes, rewrites and proves it on that machine: the script is read there, the rewrite is loaded from a hidden sibling there, its test_command runs in a
 * copy of the fleet root made there, the replays of a cache proof start the agent there; afterwards (also after a
 * failed proof and after an interrupt) neither the sibling nor the copy is left, and a sibling a killed fleetshell left
 * is removed by the next proof.
 */
class RemoteMachineOptimizeTest {

    @TempDir
    static Path dir;
    static Sshd sshd;
    static Path root;
    static Host host;
    static Inventory inventory;
    static Hosts hosts;

    @BeforeAll
    static void start() throws Exception {
        // pc2's root and its state directory live only on the "remote" host: this JVM sees an empty directory there, so
        // any read, write or load that still happened here would fail the test
        Path remote = dir.resolve("srv");
        sshd = Sshd.startIsolated(dir.resolve("sshd"), "pc2host", remote, 0);
        FleetHome home = new FleetHome(dir.resolve("home"));
        root = remote.resolve("fleet");
        Path local = new DemoFleet().install(dir.resolve("demo"), false).dir();
        Path config = local.resolve("pc2_code/config/startup_config.yaml");
        String text = new String(java.nio.file.Files.readAllBytes(config), StandardCharsets.UTF_8).replace("${PORT_OFFSET}+", "13000+")
                .replace("    script_path: pc2_code/agents/translation_service.py\n",
                        "    script_path: pc2_code/agents/translation_service.py\n    test_command: python3 -c \"import ast; ast.parse(open('{script}').read())\"\n");
        java.nio.file.Files.writeString(config, text);
        // a state directory of this test's own: the host's temporary directory is under it
        SshAccess a = sshd.access();
        SshAccess access = new SshAccess(a.destination(), a.port(), a.identityFile(), a.sshConfig(), a.options(), a.tunnel(), a.forks(),
                remote.resolve("state").toString());
        Map<String, MachineOverride> machines = Map.of("pc2", new MachineOverride(Map.of(), Map.of(), null, access, root));
        hosts = new Hosts(home, machines);
        host = hosts.of("pc2", access, "python3");
        sshd.copyIn(local.resolve("pc2_code"), root.resolve("pc2_code"));
        sshd.copyIn(local.resolve("common"), root.resolve("common"));
        assertThat(root.resolve("pc2_code")).doesNotExist();
        LoadedConfig loaded = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE, machines, hosts)
                .load(new ConfigSource(root.resolve("pc2_code/config/startup_config.yaml"), "pc2", root, true));
        inventory = new Inventory(List.of(loaded.machine()), loaded.agents());
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    private static Optimizers optimizers(int runs) {
        Optimizers.Setup setup = new Optimizers.Setup(PythonFacts.DEFAULT_SIDE_EFFECT_MODULES,
                dir.resolve("home/cache/pycache"), HeavyCalls.defaults(),
                JavaBuildCache.in(dir.resolve("home/cache/javac")), hosts);
        return Optimizers.of(setup, new Optimizers.ProofSettings(runs, 0.05, Duration.ofSeconds(60), Duration.ofMinutes(2)));
    }

    private static Agent agent(String name) {
        return inventory.agents().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }

    /** What this process made beside the script and in the host's temporary directory, as the host lists them. */
    private static List<String> leftovers(Agent agent) throws Exception {
        List<String> found = new java.util.ArrayList<>(host.list(agent.script().path().getParent()).stream()
                .filter(Leftovers::isHiddenSibling).toList());
        found.addAll(host.list(host.temporaryDirectory()).stream().filter(n -> n.startsWith("fleetshell-") && n.contains(Leftovers.mark())).toList());
        return found;
    }

    @Test
    void aJavaAgentOfAMachineWithoutAJavaSettingStartsWithTheJavaOnItsPath() {
        assertThat(agent("RouteMatcherAgent").java().launcher()).isEqualTo("java");
    }

    @Test
    void theProofRunsOnTheAgentsMachineAndLeavesNothingThere() throws Exception {
        Agent agent = agent("TranslationService");
        byte[] before = host.read(agent.script().path(), 1 << 20);
        Optimization made = optimizers(4).optimize(inventory, agent, null);

        assertThat(made.rewrite().changes()).isTrue();
        Proof proof = made.proof();
        assertThat(proof.checks()).extracting(ProofCheck::name).contains("compiles", "loads", "same module names", "load time",
                ProofCheck.AGENT_TESTS);
        ProofCheck tests = proof.checks().stream().filter(c -> c.name().equals(ProofCheck.AGENT_TESTS)).findFirst().orElseThrow();
        assertThat(tests.outcome()).as(tests.detail()).isEqualTo(ProofCheck.Outcome.PASSED);
        assertThat(proof.checks().stream().filter(c -> c.name().equals("loads")).findFirst().orElseThrow().outcome())
                .isEqualTo(ProofCheck.Outcome.PASSED);
        assertThat(host.read(agent.script().path(), 1 << 20)).isEqualTo(before);
        assertThat(leftovers(agent)).isEmpty();
    }

    @Test
    void aCacheProofReplaysTheAgentOnItsMachine() throws Exception {
        Agent agent = agent("RoutePlanner");
        Optimization made = optimizers(2).optimize(inventory, agent, "cache_optimization");

        assertThat(made.rewrite().changes()).as(made.applicability().toString()).isTrue();
        ProofCheck counts = made.proof().checks().stream().filter(c -> c.name().equals("call counts")).findFirst().orElseThrow();
        assertThat(counts.outcome()).as(counts.detail()).isEqualTo(ProofCheck.Outcome.PASSED);
        assertThat(made.proof().checks()).extracting(ProofCheck::name).contains("same answers");
        assertThat(leftovers(agent)).isEmpty();
    }

    @Test
    void anInterruptedProofRemovesItsSiblingThereAndTheNextProofRemovesAKilledOnesSibling() throws Exception {
        Agent agent = agent("TranslationService");
        Path script = agent.script().path();
        // what a fleetshell killed with kill -9 during a proof leaves: a sibling marked with a pid that no longer runs
        Path killed = script.resolveSibling("." + script.getFileName() + ".fleetshell-proof-p" + Integer.MAX_VALUE + "-0badf00d.py");
        host.writeFresh(killed, "x = 1\n".getBytes(StandardCharsets.UTF_8));

        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread proving = Thread.ofPlatform().start(() -> {
            try {
                optimizers(50).optimize(inventory, agent, null);
            } catch (Throwable e) {
                ended.set(e);
            }
        });
        Await.until("the proof's own sibling on the host", Duration.ofSeconds(120), () -> listed(script.getParent()).stream()
                .anyMatch(n -> n.startsWith("." + script.getFileName() + ".fleetshell-proof" + Leftovers.mark())));
        // the sweep follows the write that listed it (Host.prepareProof), so it may land just after the own sibling shows
        Await.until("the killed proof's sibling removed by the next proof", Duration.ofSeconds(120),
                () -> !listed(script.getParent()).contains(killed.getFileName().toString()));
        proving.interrupt();
        proving.join(Duration.ofSeconds(120));
        assertThat(proving.isAlive()).isFalse();
        assertThat(leftovers(agent)).isEmpty();
    }

    private static List<String> listed(Path directory) {
        try {
            return host.list(directory);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
