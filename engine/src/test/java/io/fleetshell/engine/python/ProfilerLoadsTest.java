package io.fleetshell.engine.python;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.inventory.MachineOverride;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Profiler#loads}: the loads of a sequence started by one runner process on the agent's machine, here a real sshd
 * in a mount namespace of its own (the agents' files exist only there) and this computer. Stopping the sequence leaves
 * no process behind on that machine; a load failing there is reported exactly as the same load failing here.
 */
class ProfilerLoadsTest {

    @TempDir
    static Path dir;
    static Sshd sshd;
    static Host host;
    static Path remoteFleet;
    static Path localFleet;

    @BeforeAll
    static void start() throws Exception {
        Path remote = dir.resolve("srv");
        sshd = Sshd.startIsolated(dir.resolve("sshd"), "loadshost", remote, 0);
        SshAccess a = sshd.access();
        SshAccess access = new SshAccess(a.destination(), a.port(), a.identityFile(), a.sshConfig(), a.options(), a.tunnel(), a.forks(),
                remote.resolve("state").toString());
        host = new Hosts(new FleetHome(dir.resolve("home")), Map.of("pc2", new MachineOverride(Map.of(), Map.of(), null, access, remote)))
                .of("pc2", access, "python3");
        localFleet = dir.resolve("fleet");
        Files.createDirectories(localFleet);
        Files.writeString(localFleet.resolve("slow_agent.py"), "import time\ntime.sleep(0.5)\nVALUE = 1\n");
        Files.writeString(localFleet.resolve("failing_agent.py"), "import os\nraise ValueError('no model file here')\n");
        Files.writeString(localFleet.resolve("dying_agent.py"), "import os, sys\nsys.stderr.write('the agent gave up\\n')\nos._exit(3)\n");
        Files.writeString(localFleet.resolve("quick_agent.py"), "import json\nVALUE = 2\n");
        // loads only in the directory and with the environment its target gives
        String where = """
                import os
                HERE = os.path.dirname(os.path.abspath(__file__))
                if os.getcwd() != HERE or os.environ["EXPECT_CWD"] != HERE:
                    raise RuntimeError("loaded in %s with EXPECT_CWD %s, not %s" % (os.getcwd(), os.environ["EXPECT_CWD"], HERE))
                if HERE.endswith("copy") and "ONLY_ORIGINAL" in os.environ:
                    raise RuntimeError("the copy's load has the original's environment")
                """;
        Files.writeString(localFleet.resolve("where_agent.py"), where);
        Files.writeString(Files.createDirectories(localFleet.resolve("copy")).resolve("where_agent.py"), where);
        remoteFleet = remote.resolve("fleet");
        sshd.copyIn(localFleet, remoteFleet);
        assertThat(remoteFleet.resolve("slow_agent.py")).doesNotExist();
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    private static final String MARK = java.util.UUID.randomUUID().toString();

    private static ProfileTarget target(Path fleet, String name) {
        return new ProfileTarget(new AgentId("pc2", name), fleet.resolve(name + ".py"), "python3", fleet, Map.of("LOADS_TEST_MARK", MARK));
    }

    @Test
    void stoppingTheSequenceLeavesNoLoadRunningOnTheHost() {
        Profiler profiler = new Profiler(Duration.ofSeconds(30), host, remoteFleet.resolve(".cache"));
        ProfileTarget slow = target(remoteFleet, "slow_agent");
        int[] order = new int[200]; // 100 s of loads: the wait below ends long before the runner would have finished
        int[] runs = new int[200];
        for (int i = 0; i < order.length; i++) {
            runs[i] = i + 1;
        }
        List<LoadSample> heard = new ArrayList<>();
        profiler.loads(List.of(slow), order, runs, (index, sample) -> {
            heard.add(sample);
            return heard.size() < 3;
        });
        assertThat(heard).hasSize(3).allMatch(LoadSample::ok);
        assertThat(heard).extracting(LoadSample::run).containsExactly(1, 2, 3);
        // the runner and the load it had under way are gone: no process on the host still has this test's mark in its
        // environment (the runner's command line names no agent file: the request travels on its stdin)
        Await.until("no process of the stopped sequence is left", Duration.ofSeconds(20), () -> ProcessHandle.allProcesses()
                .noneMatch(p -> environment(p.pid()).contains("LOADS_TEST_MARK=" + MARK)));
    }

    private static String environment(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | RuntimeException gone) {
            return "";
        }
    }

    @Test
    void aLoadFailingOnTheHostIsReportedAsTheSameLoadFailingHere() {
        Profiler remote = new Profiler(Duration.ofSeconds(30), host, remoteFleet.resolve(".cache"));
        Profiler local = new Profiler(Duration.ofSeconds(30), dir.resolve("localcache"));
        for (String name : List.of("failing_agent", "dying_agent")) {
            List<LoadSample> there = new ArrayList<>();
            remote.loads(List.of(target(remoteFleet, "quick_agent"), target(remoteFleet, name)), new int[]{0, 1, 0}, new int[]{1, 1, 2},
                    (index, sample) -> there.add(sample));
            LoadSample here = local.sample(target(localFleet, name), 1);
            assertThat(there).hasSize(3);
            assertThat(there.get(0).ok()).isTrue();
            assertThat(there.get(2).ok()).isTrue();
            LoadSample failed = there.get(1);
            assertThat(failed.ok()).isFalse();
            assertThat(here.ok()).isFalse();
            // the same error, up to the -X importtime figures of the stderr tail (they differ between two runs here too)
            assertThat(withoutImportTimes(failed.error())).as(name).isEqualTo(withoutImportTimes(here.error()));
            assertThat(failed.run()).isEqualTo(here.run());
        }
        assertThat(local.sample(target(localFleet, "failing_agent"), 1).error().type()).isEqualTo("ValueError");
    }

    private static LoadSample.LoadError withoutImportTimes(LoadSample.LoadError error) {
        String message = error.message().lines().filter(line -> !line.contains("import time:")).map(line -> line.replaceAll("\\.\\.\\..*", "..."))
                .reduce((x, y) -> x + "\n" + y).orElse("");
        return new LoadSample.LoadError(error.type(), message, error.line(), error.cacheFile());
    }

    /**
     * A shared module's proof pairs the agent from the fleet with the agent from a changed copy: two working directories
     * and environments. One runner on the host loads both, each in its own (it was a process, over ssh a session, a load).
     */
    @Test
    void targetsWithTheirOwnDirectoryAndEnvironmentLoadInOneSessionOfTheHost() throws Exception {
        Profiler remote = new Profiler(Duration.ofSeconds(30), host, remoteFleet.resolve(".cache"));
        ProfileTarget original = new ProfileTarget(new AgentId("pc2", "where_agent"), remoteFleet.resolve("where_agent.py"), "python3",
                remoteFleet, Map.of("EXPECT_CWD", remoteFleet.toString(), "ONLY_ORIGINAL", "1"));
        ProfileTarget copy = new ProfileTarget(new AgentId("pc2", "where_agent"), remoteFleet.resolve("copy/where_agent.py"), "python3",
                remoteFleet.resolve("copy"), Map.of("EXPECT_CWD", remoteFleet.resolve("copy").toString()));
        remote.loads(List.of(original), new int[]{0}, new int[]{0}, (index, sample) -> true); // the connection is up
        long before = sshd.sessions();
        List<LoadSample> samples = new ArrayList<>();

        remote.loads(List.of(original, copy), new int[]{0, 1, 1, 0}, new int[]{1, 1, 2, 2}, (index, sample) -> samples.add(sample));

        assertThat(samples).hasSize(4);
        assertThat(samples).allSatisfy(sample -> assertThat(sample.ok()).as(String.valueOf(sample.error())).isTrue());
        Await.until("sshd to log the session", Duration.ofSeconds(10), () -> sessions() > before);
        assertThat(sessions() - before).as("one session for the four loads").isEqualTo(1);
    }

    /**
     * A proof's hidden sibling is last read by the load-time pairs: their runner owns it, and the host removes it in the
     * runner's own session as the sequence ends, stopped by the listener too (it was a session of its own).
     */
    @Test
    void aFileTheLoadsOwnIsRemovedByTheRunnersOwnSession() throws Exception {
        Profiler remote = new Profiler(Duration.ofSeconds(30), host, remoteFleet.resolve(".cache"));
        Path sibling = remoteFleet.resolve(".quick_agent.py.fleetshell-proof-owned.py");
        byte[] rewrite = "import json\nVALUE = 3\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        host.writeFresh(sibling, rewrite);
        ProfileTarget original = target(remoteFleet, "quick_agent");
        ProfileTarget rewritten = new ProfileTarget(original.agent(), sibling, "python3", remoteFleet, original.environment());
        long before = sshd.sessions();
        List<LoadSample> samples = new ArrayList<>();

        remote.loads(List.of(original, rewritten), new int[]{0, 1, 1, 0, 0, 1}, new int[]{0, 0, 1, 1, 2, 2},
                (index, sample) -> samples.add(sample) && samples.size() < 4, new Profiler.Owned(sibling, rewrite));

        assertThat(samples).hasSize(4).allSatisfy(sample -> assertThat(sample.ok()).as(String.valueOf(sample.error())).isTrue());
        assertThat(sshd.exists(sibling)).as("the sibling on the host").isFalse();
        Await.until("sshd to log the session", Duration.ofSeconds(10), () -> sessions() > before);
        assertThat(sessions() - before).as("the runner's session, no removal of its own").isEqualTo(1);
    }

    /**
     * A damaged file of fleetshell's bytecode cache stops the runner, and the load is taken again after it: the file the
     * loads own, removed as that runner ended, is written back for it and the runner after it, and removed at the end.
     */
    @Test
    void aLoadTakenAgainAfterADamagedCacheFileFindsTheFileTheLoadsOwn() throws Exception {
        Path cache = remoteFleet.resolve(".damaged-cache");
        Profiler remote = new Profiler(Duration.ofSeconds(30), host, cache);
        sshd.writeString(remoteFleet.resolve("heavy_dep.py"), "VALUE = [i for i in range(100)]\n");
        sshd.writeString(remoteFleet.resolve("uses_dep.py"), "import heavy_dep\n");
        Path sibling = remoteFleet.resolve(".uses_dep.py.fleetshell-proof-owned.py");
        byte[] rewrite = "import heavy_dep\nX = 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        host.writeFresh(sibling, rewrite);
        ProfileTarget original = target(remoteFleet, "uses_dep");
        ProfileTarget rewritten = new ProfileTarget(original.agent(), sibling, "python3", remoteFleet, original.environment());
        assertThat(remote.sample(original, 0).ok()).isTrue();
        String pyc = sshd.inside("find", cache.toString(), "-name", "heavy_dep*.pyc").strip();
        assertThat(pyc).isNotEmpty();
        // a full disk's truncated file: the header whole, the code cut short
        sshd.inside("sh", "-c", "head -c 20 \"$1\" > \"$1.cut\" && mv \"$1.cut\" \"$1\"", "sh", pyc);
        List<LoadSample> samples = new ArrayList<>();

        remote.loads(List.of(original, rewritten), new int[]{0, 1, 1, 0}, new int[]{1, 1, 2, 2}, (index, sample) -> samples.add(sample),
                new Profiler.Owned(sibling, rewrite));

        assertThat(samples).hasSize(4).allSatisfy(sample -> assertThat(sample.ok()).as(String.valueOf(sample.error())).isTrue());
        assertThat(sshd.exists(sibling)).isFalse();
    }

    private static long sessions() {
        try {
            return sshd.sessions();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void onThisComputerTheLoadsComeInTheOrderGivenAndMeasuredAsOneSample() {
        Profiler local = new Profiler(Duration.ofSeconds(30), dir.resolve("localcache"));
        ProfileTarget quick = target(localFleet, "quick_agent");
        ProfileTarget slow = target(localFleet, "slow_agent");
        List<String> heard = new ArrayList<>();
        List<LoadSample> samples = new ArrayList<>();
        local.loads(List.of(quick, slow), new int[]{0, 1, 1, 0}, new int[]{1, 1, 2, 2}, (index, sample) -> {
            heard.add(index + ":" + sample.run());
            samples.add(sample);
            return true;
        });
        assertThat(heard).containsExactly("0:1", "1:1", "2:2", "3:2");
        assertThat(samples).allMatch(LoadSample::ok);
        // the slow agent sleeps 0.5 s at load: wall time, not CPU time
        assertThat(samples.get(1).loadMillis()).isGreaterThanOrEqualTo(500);
        assertThat(samples.get(1).cpuMillis()).isLessThan(samples.get(1).loadMillis());
        assertThat(samples.get(0).modulesLoaded()).isEqualTo(local.sample(quick, 1).modulesLoaded());
    }
}
