package io.fleetshell.engine.host;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.StartedProcess;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A remote run is stopped through its lifeline (the ssh client's stdin, closed by fleetshell), not by a session of its
 * own: against a real sshd whose root exists only on its side, a started process stopped by {@code stop(grace)}, a
 * program that ignores SIGTERM, a run interrupted while it reads its input and a run that times out each cost their own
 * session and leave nothing running on the host; a run's owned files are removed by its own session. The sessions are
 * the server's own count ({@link Sshd#sessions}): the old design spent one more on each stop, and one more on each
 * run's owned files.
 */
class SshLifelineTest {

    /** Prints its process group, then the pid of a grandchild in it, then waits for both. */
    private static final String TREE = "echo $$; sleep 300 & echo $!; wait";
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static Path remoteRoot;
    static Sshd sshd;
    static Host host;

    @BeforeAll
    static void start() throws Exception {
        remoteRoot = dir.resolve("srv/lifeline");
        sshd = Sshd.startIsolated(dir.resolve("sshd"), "lifeline-host", remoteRoot, 4L << 20);
        host = new SshHost("pc2", sshd.access(), "python3", new FleetHome(dir.resolve("home")).sshSockets());
        host.run(ProcessRun.of("true").timeout(WITHIN)); // the shared connection, before any count
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    @Test
    void aStartedProcessStoppedWithAGraceCostsItsOwnSessionAndLeavesNothingOnTheHost() throws Exception {
        long before = sshd.sessions();
        StartedProcess started = host.start(ProcessRun.of("sh", "-c", TREE));
        List<Long> pids = pids(started);
        assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).isPresent());

        started.stop(Duration.ofSeconds(20));

        assertGone(pids);
        assertThat(started.alive()).as("the local ssh client ended by itself").isFalse();
        sshd.awaitIdle(WITHIN);
        assertThat(sshd.sessions() - before).as("sessions: the program's, and no kill session").isEqualTo(1);
        assertThat(sessionFiles()).as("the wrapper's id file").isEmpty();
    }

    @Test
    void aProgramThatIgnoresSigtermIsKilledAfterTheGraceAndSaysSo() throws Exception {
        long before = sshd.sessions();
        StartedProcess started = host.start(ProcessRun.of("sh", "-c", "trap '' TERM; " + TREE));
        List<Long> pids = pids(started);

        assertThat(started.stop(Duration.ofSeconds(1))).as("ended by itself within the grace").isFalse();

        assertGone(pids);
        sshd.awaitIdle(WITHIN);
        assertThat(sshd.sessions() - before).isEqualTo(1);
        assertThat(sessionFiles()).isEmpty();
    }

    @Test
    void aProgramThatEndsByItselfEndsItsSessionWhileItsLifelineIsStillHeld() throws Exception {
        long before = sshd.sessions();
        StartedProcess started = host.start(ProcessRun.of("sh", "-c", "echo done; exit 4"));

        assertThat(started.waitFor()).isEqualTo(4);
        assertThat(started.output()).isEqualTo("done\n");
        assertThat(started.stop(Duration.ofSeconds(5))).isTrue();
        sshd.awaitIdle(WITHIN);
        assertThat(sshd.sessions() - before).isEqualTo(1);
        assertThat(sessionFiles()).isEmpty();
    }

    /** What is left of the input of a program that closed it early is drained, never read as the grace: it runs on. */
    @Test
    void aProgramThatClosesItsInputEarlyRunsOnUntilStopped() throws Exception {
        byte[] input = "12\n".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        long before = sshd.sessions();
        StartedProcess started = host.start(ProcessRun.of("sh", "-c", "exec 0<&-; " + TREE).stdin(input));
        List<Long> pids = pids(started);
        Thread.sleep(3000); // the old watcher took the rest of the input for a grace of 1.2 s and killed the tree by now

        assertThat(pids).as("still running").allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        started.stop(Duration.ofSeconds(20));

        assertGone(pids);
        sshd.awaitIdle(WITHIN);
        assertThat(sshd.sessions() - before).isEqualTo(1);
        assertThat(sessionFiles()).isEmpty();
    }

    @Test
    void aRunRemovesItsOwnedFilesInItsOwnSession() throws Exception {
        Path owned = remoteRoot.resolve("owned dir 'x'");
        sshd.inside("mkdir", "-p", owned.toString());
        sshd.writeString(owned.resolve("input.txt"), "data");
        long before = sshd.sessions();

        ProcessResult result = host.run(ProcessRun.of("cat", owned.resolve("input.txt").toString()).owning(owned).timeout(WITHIN));

        assertThat(result.exitStatus()).as(result.stderr()).isZero();
        assertThat(result.stdout()).isEqualTo("data");
        assertThat(sshd.exists(owned)).as("the owned directory on the host").isFalse();
        assertThat(sshd.sessions() - before).as("sessions: the run's own, no rm session").isEqualTo(1);
    }

    @Test
    void aRunThatTimesOutKillsTheTreeOnTheHostAndRemovesItsFiles() throws Exception {
        Path owned = remoteRoot.resolve("timed out");
        sshd.inside("mkdir", "-p", owned.toString());
        sshd.writeString(owned.resolve("scratch"), "x");

        long before = sshd.sessions();

        ProcessResult result = host.run(ProcessRun.of("sh", "-c", TREE).owning(owned).timeout(Duration.ofSeconds(5)));

        assertThat(result.timedOut()).isTrue();
        List<Long> pids = result.stdout().lines().map(Long::parseLong).toList();
        assertThat(pids).hasSize(2);
        assertGone(pids);
        assertThat(sshd.exists(owned)).isFalse();
        sshd.awaitIdle(WITHIN);
        assertThat(sshd.sessions() - before).as("sessions: the run's, no kill or rm session").isEqualTo(1);
        assertThat(sessionFiles()).isEmpty();
    }

    @Test
    void aStateDirectoryRelativeToTheLoginDirectoryStillStopsARunInAnotherDirectory() throws Exception {
        String relative = ".fleetshell/lifeline-test-" + ProcessHandle.current().pid();
        Host relativeState = new SshHost("pc2", new SshAccess(sshd.alias(), null, null, sshd.sshConfig(), java.util.Map.of(), false,
                SshAccess.DEFAULT_FORKS, relative), "python3", new FleetHome(dir.resolve("home")).sshSockets());
        Path home = Path.of(System.getProperty("user.home"));
        try {
            StartedProcess started = relativeState.start(ProcessRun.of("sh", "-c", TREE).in(remoteRoot));
            List<Long> pids = pids(started);

            started.stop(Duration.ofSeconds(20));

            assertGone(pids);
            sshd.awaitIdle(WITHIN);
            try (Stream<Path> left = Files.list(home.resolve(relative).resolve("run"))) {
                assertThat(left.toList()).as("the id file, named from the login directory").isEmpty();
            }
        } finally {
            try (Stream<Path> files = Files.walk(home.resolve(relative))) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void aRunInterruptedWhileItStreamsGetsItsInputAndEndsWithoutAKillSession() throws Exception {
        long before = sshd.sessions();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        // The load runner's shape: its request on stdin, lines streamed back, stopped by interrupting the run's caller.
        Thread.ofPlatform().start(() -> {
            Thread caller = Thread.currentThread();
            try {
                host.run(ProcessRun.of("sh", "-c", "head -c 13; echo; " + TREE).stdin("the request\n!".getBytes(StandardCharsets.UTF_8))
                        .timeout(WITHIN), stdout -> {
                    BufferedReader reader = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8));
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        lines.add(line);
                        if (lines.size() == 4) {
                            caller.interrupt();
                        }
                    }
                    return null;
                });
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });

        assertThat(outcome.get(WITHIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(lines.subList(0, 2)).as("the input, whole, then its end").containsExactly("the request", "!");
        assertGone(lines.subList(2, 4).stream().map(Long::parseLong).toList());
        sshd.awaitIdle(WITHIN);
        assertThat(sshd.sessions() - before).as("sessions: the run's, and no kill session").isEqualTo(1);
        assertThat(sessionFiles()).as("the id file and the input's pipe").isEmpty();
    }

    /**
     * fleetshell killed with SIGKILL runs no shutdown hook and no kill session: the end of its lifeline, closed by the
     * kernel with the process, is what stops the program on the host.
     */
    @Test
    void aFleetshellKilledWithSigkillLeavesNothingRunningOnTheHost() throws Exception {
        Path main = Files.writeString(dir.resolve("StartsRemotely.java"), """
                import io.fleetshell.engine.host.*;
                import io.fleetshell.engine.process.*;
                import java.nio.file.Path;
                import java.util.Map;

                public class StartsRemotely {
                    public static void main(String[] args) throws Exception {
                        SshHost host = new SshHost("pc2", new SshAccess(args[0], null, null, Path.of(args[1]), Map.of(), false,
                                SshAccess.DEFAULT_FORKS, args[2]), "python3", Path.of(args[3]));
                        StartedProcess started = host.start(ProcessRun.of("sh", "-c", args[4]));
                        while (started.output().lines().count() < 2) {
                            Thread.sleep(20);
                        }
                        System.out.println("pids " + started.output().strip().replace('\\n', ' '));
                        Thread.sleep(600_000);
                    }
                }
                """);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process fleetshell = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), main.toString(), sshd.alias(),
                sshd.sshConfig().toString(), sshd.access().stateDir(), new FleetHome(dir.resolve("home")).sshSockets().toString(), TREE)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Long> pids;
        try {
            String line = Await.line(fleetshell, "pids ", WITHIN);
            pids = Stream.of(line.substring("pids ".length()).split(" ")).map(Long::parseLong).toList();
            assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).isPresent());
        } finally {
            fleetshell.destroyForcibly();
        }

        assertGone(pids);
        sshd.awaitIdle(WITHIN);
        assertThat(sessionFiles()).isEmpty();
    }

    /** The group and the grandchild a {@link #TREE} printed, once it has printed both. */
    private static List<Long> pids(StartedProcess started) {
        Await.until("the remote program to print its pids", WITHIN, () -> started.output().lines().count() >= 2);
        return started.output().lines().map(Long::parseLong).toList();
    }

    private static void assertGone(List<Long> pids) {
        for (long pid : pids) {
            Await.until("process " + pid + " on the host to be gone", WITHIN, () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        }
    }

    /** The id files the wrappers keep in the machine's state directory while their program runs. */
    private static List<Path> sessionFiles() throws java.io.IOException {
        Path run = Path.of(sshd.access().stateDir(), "run");
        if (!Files.isDirectory(run)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(run)) {
            return files.toList();
        }
    }
}
