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
