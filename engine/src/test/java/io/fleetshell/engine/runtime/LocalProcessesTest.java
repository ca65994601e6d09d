package io.fleetshell.engine.runtime;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentCommands;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The records of two starts of one agent at once (two measurements of it, as in session 4's new-user walk): the start
 * that dies must not remove the record of the one that runs, and a process whose record is gone can still be stopped by
 * the one who spawned it, without touching the agent's tracked process. Real Python processes.
 */
class LocalProcessesTest {

    @TempDir
    Path dir;

    private final List<Long> spawned = new ArrayList<>();

    @AfterEach
    void killEverySpawn() {
        spawned.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    @Test
    void aCrashedStartForgetsOnlyItsOwnRecord() throws Exception {
        Agent agent = agent(Files.writeString(dir.resolve("alpha.py"), "import time\ntime.sleep(600)\n"));
        LocalProcesses processes = new LocalProcesses(new FleetHome(dir.resolve("home")));
        AgentProcesses.Spawned crashing = spawn(processes, agent, List.of("python3", "-c", "import sys; sys.exit(3)"));
        AgentProcesses.Spawned running = spawn(processes, agent, List.of("python3", agent.script().path().toString()));
        Await.until("the crashing start to exit", Duration.ofSeconds(60), () -> crashing.exited() != null);

        crashing.forget(true);

        assertThat(processes.look(agent).running()).as("the running start's record").isNotNull()
                .extracting(SupervisedProcess::pid).isEqualTo(running.process().pid());
    }

    @Test
    void anUntrackedSpawnIsStoppedAndTheTrackedOneLeftRunning() throws Exception {
        Agent agent = agent(Files.writeString(dir.resolve("alpha.py"), "import time\ntime.sleep(600)\n"));
        LocalProcesses processes = new LocalProcesses(new FleetHome(dir.resolve("home")));
        Instant before = Instant.now();
        AgentProcesses.Spawned lost = spawn(processes, agent, List.of("python3", agent.script().path().toString()));
        AgentProcesses.Spawned tracked = spawn(processes, agent, List.of("python3", agent.script().path().toString()));

        assertThat(processes.stopUntracked(agent, tracked.process().pid(), before, Duration.ofSeconds(10)))
                .isInstanceOf(StopOutcome.NotRunning.class);
        assertThat(processes.stopUntracked(agent, lost.process().pid(), before, Duration.ofSeconds(10)))
                .isInstanceOf(StopOutcome.Terminated.class);

        assertThat(ProcessHandle.of(lost.process().pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(processes.look(agent).running()).extracting(SupervisedProcess::pid).isEqualTo(tracked.process().pid());
    }

    /**
     * The JDK reads a process's start as boot time plus clock ticks, and the boot time moves when the computer's clock
     * is set: a shell started after a clock step read its own agent's start an hour off and took it for another process.
     * The ticks the pid file records do not move. A record without them (written before) still needs the time to match.
     */
    @Test
    void aClockStepBetweenTwoShellsDoesNotLoseTheAgent() throws Exception {
        Agent agent = agent(Files.writeString(dir.resolve("alpha.py"), "import time\ntime.sleep(600)\n"));
        FleetHome home = new FleetHome(dir.resolve("home"));
        LocalProcesses processes = new LocalProcesses(home);
        AgentProcesses.Spawned running = spawn(processes, agent, List.of("python3", agent.script().path().toString()));
        Path pidFile = home.agentPidFile("m1", "Alpha");
        tools.jackson.databind.json.JsonMapper json = tools.jackson.databind.json.JsonMapper.builder().build();
        tools.jackson.databind.node.ObjectNode record = (tools.jackson.databind.node.ObjectNode) json.readTree(Files.readString(pidFile));
        assertThat(record.get("start_ticks").asLong()).isEqualTo(ProcStat.of(running.process().pid()).orElseThrow().startTicks());

        record.put("process_start", running.process().processStart().plus(Duration.ofHours(1)).toString());
        Files.writeString(pidFile, json.writeValueAsString(record));
        assertThat(processes.look(agent).running()).as("the same process, its start read across a clock step")
                .extracting(SupervisedProcess::pid).isEqualTo(running.process().pid());

        record.remove("start_ticks");
        Files.writeString(pidFile, json.writeValueAsString(record));
        assertThat(processes.look(agent).running()).as("a record without ticks whose time is an hour off").isNull();
    }

    /**
     * An agent an earlier shell started belongs to init once that shell exits; an init that reaps late (a container's,
     * this sandbox's) leaves the stopped agent a zombie, which the JDK calls alive: every stop waited its whole grace time
     * and then sent SIGKILL. Here the agent's parent never reaps it: the stop must see it exit on SIGTERM.
     */
    @Test
    void anAgentWhoseParentDoesNotReapItStopsOnSigterm() throws Exception {
        Path script = Files.writeString(dir.resolve("alpha.py"), "import time\ntime.sleep(600)\n");
        Agent agent = agent(script);
        Path childPid = dir.resolve("child.pid");
        // the parent forks the agent, says its pid, and sleeps without ever waiting for it
        Process parent = new ProcessBuilder("python3", "-c", """
                import os, sys, time
                pid = os.fork()
                if pid == 0:
                    os.execvp(sys.executable, [sys.executable, sys.argv[1]])
                open(sys.argv[2] + '.tmp', 'w').write(str(pid))
                os.rename(sys.argv[2] + '.tmp', sys.argv[2])
                time.sleep(600)
                """, script.toString(), childPid.toString()).start();
        spawned.add(parent.pid());
        long pid = Await.value("the agent's pid", Duration.ofSeconds(30), () -> Files.exists(childPid)
                ? java.util.Optional.of(Long.parseLong(readQuietly(childPid))) : java.util.Optional.empty());
        spawned.add(pid);
        FleetHome home = new FleetHome(dir.resolve("home"));
        Await.until("the agent runs its script", Duration.ofSeconds(30), () -> ProcessHandle.of(pid).flatMap(h -> h.info().arguments())
                .map(a -> List.of(a).contains(script.toString())).orElse(false));
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        Files.createDirectories(home.agentPidFile("m1", "Alpha").getParent());
        Files.writeString(home.agentPidFile("m1", "Alpha"), """
                {"agent": "m1/Alpha", "pid": %d, "process_start": "%s", "start_ticks": %d, "spawned_at": "%s", "command": ["python3", "%s"],
                 "log": "%s"}""".formatted(pid, handle.info().startInstant().orElseThrow(), ProcStat.of(pid).orElseThrow().startTicks(),
                Instant.now(), script, dir.resolve("alpha.log")));
        LocalProcesses processes = new LocalProcesses(home);
        assertThat(processes.look(agent).running()).extracting(SupervisedProcess::pid).isEqualTo(pid);

        assertThat(processes.stop(agent, Duration.ofSeconds(5))).isInstanceOf(StopOutcome.Terminated.class);

        assertThat(ProcStat.of(pid)).as("a zombie until its parent exits").hasValueSatisfying(s -> assertThat(s.exited()).isTrue());
        assertThat(processes.look(agent).running()).isNull();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private AgentProcesses.Spawned spawn(LocalProcesses processes, Agent agent, List<String> command) throws Exception {
        AgentProcesses.Spawned s = processes.spawn(agent, command, dir, Map.of());
        spawned.add(s.process().pid());
        return s;
    }

    private Agent agent(Path file) throws IOException {
        return new Agent(new AgentId("m1", "Alpha"), "core", file.getFileName().toString(),
                new ScriptResolution(ScriptResolution.Status.FOUND, file, "found"), "127.0.0.1", null, null, false, List.of(),
                Map.of(), AgentCommands.NONE, false, dir.resolve("startup_config.yaml"), 1);
    }
}
