package io.fleetshell.history;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.SshHost;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.Recovery;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CrashRecoveryTest} on a machine reached over ssh (issue 20, crash safety across hosts): a real deployment in a
 * child JVM ({@link RemoteCrashChild}) writes a fleet whose files live only on the host (an sshd in a mount namespace of
 * its own, {@link Sshd#startIsolated}, so nothing here can stand in for them), and is killed with SIGKILL at random
 * instants during the deployment or during its rollback. Once the commands its ssh clients had sent have finished on
 * the host, {@code deploy recover}'s engine, working over ssh too, completes or undoes the steps; then every remote file
 * (sha256 read on the host) is its original or its recorded rewrite, exactly as the journal says, the shared module's
 * step is whole, no temporary file is left on the host, nothing is left to recover or locked, and the copies at the
 * same paths on this computer were never touched.
 */
class RemoteCrashRecoveryTest {

    private static final int AGENTS = 2;
    private static final int LIBS = 1;
    /**
     * Each run is a JVM start and some forty ssh round trips (a remote shell and an interpreter each), 8 s at load 25:
     * ten kills fit the suite's time limit on a loaded machine; {@code -Dcrash.remote.kills=N} asks for more.
     */
    private static final int KILLS = Integer.getInteger("crash.remote.kills", 10);

    @TempDir
    Path dir;
    private Sshd sshd;

    @AfterEach
    void stop() throws InterruptedException {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void everyKillOfARemoteDeploymentIsRecoveredOnTheHost() throws Exception {
        Path root = dir.resolve("srv/fleet");
        sshd = Sshd.startIsolated(dir.resolve("sshd"), "crash-host", root, 0);
        Path db = dir.resolve("history.db");
        Path sockets = new FleetHome(dir.resolve("home")).sshSockets();
        RolloutFleet fleet = RolloutFleet.create(root, AGENTS);
        fleet.sharedModule(LIBS);
        Map<Path, String> here = localChecksums(root);
        Host host = new SshHost("m1", sshd.access(), "python3", sockets);
        long seed = Long.getLong("crash.seed", System.nanoTime());
        // SplittableRandom: java.util.Random's first values from nearby seeds (nanoTime) are alike and often small.
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Integer> killedIn = new TreeMap<>();
        int kills = 0;
        int runs = 0;
        try (HistoryDatabase history = HistoryDatabase.open(db)) {
            DeploymentStore store = new DeploymentStore(history);
            Recovery recovery = new Recovery(store, RemoteCrashChild.HOST).onHosts(id -> host);
            resetHost(root);
            // From "planned" to exit of a whole run, per mode, so kill instants spread over all of it (a rollback run's
            // second half is its rollback); the fastest run of a mode that finished first bounds its instants.
            long whole = runToEnd(db, root, sockets);
            System.out.printf("RemoteCrashRecoveryTest: a whole run (deployment and rollback) took %d ms%n", whole);
            Map<String, Long> windows = new HashMap<>(Map.of("deploy", whole, "rollback", whole));
            resetHost(root);
            while (kills < KILLS) {
                assertThat(runs++).as("runs needed for %d kills (seed %d)", KILLS, seed).isLessThan(KILLS * 3);
                String mode = runs % 2 == 0 ? "deploy" : "rollback";
                long before = store.deployments(1).stream().mapToLong(Deployment::id).findFirst().orElse(0);
                long delay = (long) (random.nextDouble() * windows.get(mode));
                Outcome outcome = killAfter(db, root, sockets, mode, delay);
                if (outcome.killed()) {
                    kills++;
                } else {
                    windows.merge(mode, Math.max(1, outcome.millis()), Math::min);
                }
                sshd.awaitIdle(Duration.ofSeconds(120));
                recovery.recoverAll(AgentRuntime.NOT_RUNNING, fleet.lookup());

                String context = "run %d (%s, kill %d ms after planned, seed %d, %s)".formatted(runs, mode, delay, seed,
                        outcome.killed() ? "killed" : "finished first");
                assertThat(store.integrityCheck()).as(context).isEqualTo("ok");
                assertThat(recovery.interrupted()).as(context).isEmpty();
                assertThat(store.lockHolder()).as(context).isEmpty();
                assertThat(sshd.inside("find", root.toString(), "-name", ".*", "-type", "f")).as(context + ": temporary files on the host").isEmpty();
                long latest = store.deployments(1).stream().mapToLong(Deployment::id).findFirst().orElse(0);
                assertThat(latest).as(context).isGreaterThan(before);
                Map<AgentId, StoredStep> steps = new HashMap<>();
                store.steps(latest).stream().filter(s -> s.module() == null).forEach(s -> steps.put(s.agent(), s));
                StoredStep moduleStep = store.steps(latest).stream().filter(s -> s.module() != null).findFirst().orElseThrow();
                if (outcome.killed()) {
                    killedIn.merge(mode + ", then " + store.deployment(latest).orElseThrow().state(), 1, Integer::sum);
                }
                for (var agent : fleet.agents) {
                    byte[] original = fleet.originals.get(agent.id());
                    StoredStep step = steps.get(agent.id());
                    String expected = step != null && step.state().changed() ? step.afterSha256() : Checksums.sha256(original);
                    assertThat(sshd.sha256(agent.script().path())).as(context + ": " + agent.id() + " in state " + (step == null ? "-" : step.state()))
                            .isEqualTo(expected)
                            .isIn(Checksums.sha256(original), Checksums.sha256(RolloutFleet.edited(original)));
                }
                boolean applied = moduleStep.state().changed();
                for (Map.Entry<Path, byte[]> file : fleet.moduleOriginals.entrySet()) {
                    String state = context + ": " + file.getKey().getFileName() + " of the module step in state " + moduleStep.state();
                    if (applied) {
                        assertThat(sshd.sha256(file.getKey())).as(state).isEqualTo(moduleStep.files().stream()
                                .filter(f -> f.file().equals(file.getKey())).findFirst().orElseThrow().afterSha256());
                    } else if (file.getValue() == null) {
                        assertThat(sshd.exists(file.getKey())).as(state + ": the helper it created is removed").isFalse();
                    } else {
                        assertThat(sshd.sha256(file.getKey())).as(state).isEqualTo(Checksums.sha256(file.getValue()));
                    }
                }
                System.out.println("RemoteCrashRecoveryTest: " + context);
                resetHost(root);
            }
        }
        System.out.println("RemoteCrashRecoveryTest: %d kills in %d runs, seed %d, killed in: %s".formatted(kills, runs, seed, killedIn));
        assertThat(localChecksums(root)).as("the files at the same paths on this computer").isEqualTo(here);
    }

    /** The host's copy of the fleet becomes this computer's (the originals) again, the module's helper gone. */
    private void resetHost(Path root) throws IOException, InterruptedException {
        sshd.inside("find", root.toString(), "-mindepth", "1", "-delete");
        sshd.copyIn(root, root);
    }

    private static Map<Path, String> localChecksums(Path root) throws IOException {
        Map<Path, String> sums = new TreeMap<>();
        try (var files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                sums.put(file, Checksums.sha256(Files.readAllBytes(file)));
            }
        }
        return sums;
    }

    /** Whether the child was killed, or how long it ran from "planned" to its own exit. */
    private record Outcome(boolean killed, long millis) {
    }

    /** Runs a rollback run to its end and returns how long it took from "planned" to exit, in ms. */
    private long runToEnd(Path db, Path root, Path sockets) throws Exception {
        Process child = start(db, root, sockets, "rollback");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            while (line != null && !line.equals("planned")) {
                line = out.readLine();
            }
            long start = System.nanoTime();
            while (line != null && !line.startsWith("done")) {
                line = out.readLine();
            }
            assertThat(child.waitFor(300, TimeUnit.SECONDS)).isTrue();
            assertThat(line).as("the uninterrupted run: " + new String(child.getErrorStream().readAllBytes())).startsWith("done");
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    /**
     * Starts the child and kills it (the JVM alone, as kill -9 does) {@code delayMillis} after its plan is stored,
     * unless it exits first; then waits for the ssh clients it started, which go on without it, to end.
     */
    private Outcome killAfter(Path db, Path root, Path sockets, String mode, long delayMillis) throws Exception {
        Process child = start(db, root, sockets, mode);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            while (line != null && !line.equals("planned")) {
                line = out.readLine();
            }
            if (line == null) {
                throw new AssertionError("the child ended before it planned: " + new String(child.getErrorStream().readAllBytes()));
            }
            long start = System.nanoTime();
            if (child.waitFor(delayMillis, TimeUnit.MILLISECONDS)) {
                assertThat(child.exitValue()).as(new String(child.getErrorStream().readAllBytes())).isZero();
                return new Outcome(false, (System.nanoTime() - start) / 1_000_000);
            }
            // Not the shared connection's master: it outlives every client by design (ControlPersist).
            List<ProcessHandle> clients = child.descendants().filter(p -> p.info().arguments()
                    .map(a -> !List.of(a).contains("ControlMaster=yes")).orElse(true)).toList();
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
            boolean killed = Await.exit(child, Duration.ofSeconds(60)) == 137;
            for (ProcessHandle client : clients) {
                Await.until("ssh client " + client.pid() + " of the killed child ends", Duration.ofSeconds(120), () -> !client.isAlive());
            }
            return new Outcome(killed, 0);
        }
    }

    private Process start(Path db, Path root, Path sockets, String mode) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), RemoteCrashChild.class.getName(),
                db.toString(), root.toString(), String.valueOf(AGENTS), String.valueOf(LIBS), mode, sshd.sshConfig().toString(), sshd.alias(),
                sshd.access().stateDir(), sockets.toString()));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    }
}
