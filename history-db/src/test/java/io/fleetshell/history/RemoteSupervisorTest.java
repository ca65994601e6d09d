package io.fleetshell.history;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentCommands;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.engine.runtime.AgentStatus;
import io.fleetshell.engine.runtime.LogTail;
import io.fleetshell.engine.runtime.ProbeTarget;
import io.fleetshell.engine.runtime.StartOutcome;
import io.fleetshell.engine.runtime.StopOutcome;
import io.fleetshell.engine.runtime.Supervisor;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Ports;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Agents supervised on a remote host through a real sshd on loopback: started there (pid file and log in the host's
 * state directory, not in FLEETSHELL_HOME), looked at, their log read, stopped with their children (process group),
 * probed directly or through an SSH tunnel, and a host that cannot be reached failing its own agents only.
 */
@ExtendWith(HistoryDatabaseExtension.class)
class RemoteSupervisorTest {

    /** Serves /health on HEALTH_PORT, starts a child that would outlive it, prints a line; exits at once with EXIT set. */
    private static final String AGENT = """
            import http.server, os, subprocess, sys
            if os.environ.get('EXIT'):
                print('giving up', flush=True)
                sys.exit(3)
            child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])
            with open(os.environ['CHILD_FILE'], 'w') as f:
                f.write(str(child.pid))

            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = b'{"agent": "remote"}'
                    self.send_response(200)
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

                def log_message(self, *args):
                    pass

            print('ready on', os.environ['HEALTH_PORT'], flush=True)
            http.server.ThreadingHTTPServer(('127.0.0.1', int(os.environ['HEALTH_PORT'])), Handler).serve_forever()
            """;

    @TempDir
    Path dir;

    private Sshd sshd;
    private Path fleet;
    private FleetHome home;
    private final List<Runnable> cleanup = new ArrayList<>();

    @BeforeEach
    void startSshd() throws IOException, InterruptedException {
        sshd = Sshd.start(dir.resolve("sshd"), "remote");
        // A fleet root with a space and a quote in its path: every remote command is an argument list, quoted.
        fleet = Files.createDirectories(dir.resolve("remote root's fleet"));
        Files.writeString(fleet.resolve("agent.py"), AGENT);
        home = new FleetHome(dir.resolve("home"));
    }

    @AfterEach
    void stop() throws InterruptedException {
        cleanup.forEach(Runnable::run);
        sshd.close();
    }

    private Supervisor supervisor(HistoryDatabase db, Machine machine, Agent... agents) {
        Inventory inventory = new Inventory(List.of(machine), List.of(agents));
        Supervisor supervisor = new Supervisor(home, inventory, new RuntimeStore(db), Duration.ofSeconds(30), Duration.ofSeconds(5));
        for (Agent agent : agents) {
            cleanup.add(() -> supervisor.stop(agent));
        }
        return supervisor;
    }

    private Machine remote(String name, SshAccess access, Map<String, String> environment) {
        return new Machine(name, fleet, "python3", environment, Map.of(), access);
    }

    private Agent agent(String machine, String name) {
        int port = Ports.free();
        Path script = fleet.resolve("agent.py");
        return new Agent(new AgentId(machine, name), "core", "agent.py", new ScriptResolution(ScriptResolution.Status.FOUND, script, "found"),
                "127.0.0.1", null, port, false, List.of(), Map.of(), AgentCommands.NONE, false, fleet.resolve("startup_config.yaml"), 1);
    }

    @Test
    void anAgentRunsOnTheRemoteHostWithItsPidFileAndLogThereAndStopsWithItsChildren(HistoryDatabase db) throws IOException {
        Path childFile = dir.resolve("child.pid");
        Machine machine = remote("pc2", sshd.access(), Map.of("CHILD_FILE", childFile.toString()));
        Agent agent = agent("pc2", "Odd 'Agent' name");
        Supervisor supervisor = supervisor(db, machine, agent);

        StartOutcome started = supervisor.start(agent);
        assertThat(started).as(started.summary()).isInstanceOf(StartOutcome.Healthy.class);
        Path state = Path.of(sshd.access().stateDir());
        Path pidFile = state.resolve("run/pc2/Odd 'Agent' name.json");
        assertThat(pidFile).exists();
        assertThat(home.agentPidFile("pc2", agent.name())).doesNotExist();
        assertThat(supervisor.logShown(agent)).isEqualTo("pc2:" + state.resolve("logs/pc2/Odd 'Agent' name.log"));

        AgentStatus status = supervisor.status(agent);
        assertThat(status.supervision()).isEqualTo(AgentStatus.Supervision.RUNNING);
        assertThat(status.process().pid()).isEqualTo(((StartOutcome.Healthy) started).pid());
        assertThat(status.healthy()).isTrue();
        assertThat(status.probe().rssKb()).isPositive();
        assertThat(supervisor.start(agent)).isInstanceOf(StartOutcome.AlreadyRunning.class);

        LogTail.End end = supervisor.lastLog(agent, 2);
        assertThat(end.lines()).anyMatch(l -> l.startsWith("ready on "));

        long child = Long.parseLong(Files.readString(childFile).strip());
        assertThat(ProcessHandle.of(child)).isPresent();
        StopOutcome stopped = supervisor.stop(agent);
        assertThat(stopped).as(stopped.summary()).isInstanceOf(StopOutcome.Terminated.class);
        Await.until("the agent's child, in its process group, is gone", Duration.ofSeconds(30),
                () -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
        assertThat(pidFile).doesNotExist();
        assertThat(supervisor.status(agent).supervision()).isEqualTo(AgentStatus.Supervision.NOT_STARTED);
        assertThat(supervisor.stop(agent)).isInstanceOf(StopOutcome.NotRunning.class);
    }

    @Test
    void aStartWhoseRecordWasLostIsStoppedOnTheHostAndTheTrackedOneIsLeftAlone(HistoryDatabase db) throws IOException {
        Machine machine = remote("pc2", sshd.access(), Map.of("CHILD_FILE", dir.resolve("child.pid").toString()));
        Agent agent = agent("pc2", "Lost");
        Supervisor supervisor = supervisor(db, machine, agent);
        StartOutcome.Healthy first = (StartOutcome.Healthy) supervisor.start(agent);
        Path pidFile = Path.of(sshd.access().stateDir()).resolve("run/pc2/Lost.json");

        assertThat(supervisor.stopUntracked(agent, first)).as("the tracked process").isInstanceOf(StopOutcome.NotRunning.class);
        Files.delete(pidFile); // what a start of the agent beside this one did in session 4's new-user walk
        StopOutcome stopped = supervisor.stopUntracked(agent, first);

        assertThat(stopped).as(stopped.summary()).isInstanceOf(StopOutcome.Terminated.class);
        Await.until("the lost start to be gone", Duration.ofSeconds(30),
                () -> ProcessHandle.of(first.pid()).map(h -> !h.isAlive()).orElse(true));
        assertThat(supervisor.stopUntracked(agent, first)).isInstanceOf(StopOutcome.NotRunning.class);
    }

    @Test
    void anAgentThatExitsAtOnceIsAFailedStartRememberedOnTheHost(HistoryDatabase db) {
        Machine machine = remote("pc2", sshd.access(), Map.of("EXIT", "1", "CHILD_FILE", dir.resolve("unused").toString()));
        Agent agent = agent("pc2", "Quitter");
        Supervisor supervisor = supervisor(db, machine, agent);

        StartOutcome outcome = supervisor.start(agent);
        assertThat(outcome).isInstanceOf(StartOutcome.Unhealthy.class);
        assertThat(((StartOutcome.Unhealthy) outcome).reason()).contains("the process exited on " + sshd.access().describe());
        assertThat(((StartOutcome.Unhealthy) outcome).logTail()).contains("giving up");
        AgentStatus status = supervisor.status(agent);
        assertThat(status.supervision()).isEqualTo(AgentStatus.Supervision.EXITED);
        assertThat(status.note()).startsWith("crashed: pid ");
    }

    @Test
    void aRestartCommandRunsOnTheHostInTheMachinesRootWithItsOutputInTheRemoteLog(HistoryDatabase db) throws IOException {
        Machine machine = remote("pc2", sshd.access(), Map.of("CHILD_FILE", dir.resolve("child.pid").toString()));
        int port = Ports.free();
        Path pidFile = dir.resolve("external.pid");
        Agent agent = new Agent(new AgentId("pc2", "External"), "core", "agent.py", new ScriptResolution(ScriptResolution.Status.FOUND,
                fleet.resolve("agent.py"), "found"), "127.0.0.1", null, port, false, List.of(), Map.of(),
                new AgentCommands(null, "pwd; HEALTH_PORT=%d setsid python3 {script} > /dev/null 2>&1 & echo $! > '%s'".formatted(port, pidFile)),
                false, fleet.resolve("startup_config.yaml"), 1);
        Supervisor supervisor = supervisor(db, machine, agent);
        cleanup.add(() -> {
            try {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).ifPresent(ProcessHandle::destroyForcibly);
            } catch (IOException | NumberFormatException e) {
                // it never started
            }
        });

        StartOutcome started = supervisor.start(agent);
        assertThat(started).as(started.summary()).isInstanceOf(StartOutcome.Healthy.class);
        assertThat(((StartOutcome.Healthy) started).method()).isEqualTo(StartOutcome.Method.RESTART_COMMAND);
        List<String> log = supervisor.lastLog(agent, 0).lines();
        assertThat(log).anyMatch(l -> l.contains("restart_command pwd;"));
        assertThat(log).contains(fleet.toString());
        assertThat(supervisor.status(agent).supervision()).isEqualTo(AgentStatus.Supervision.EXTERNAL);
    }

    @Test
    void withTunnelTheHealthProbeGoesThroughAPortForwardedOverTheSharedConnection(HistoryDatabase db) {
        SshAccess base = sshd.access();
        SshAccess tunnel = new SshAccess(base.destination(), base.port(), base.identityFile(), base.sshConfig(), base.options(), true,
                base.forks(), base.stateDir());
        Machine machine = remote("pc2", tunnel, Map.of("CHILD_FILE", dir.resolve("child.pid").toString()));
        Agent agent = agent("pc2", "Tunnelled");
        Supervisor supervisor = supervisor(db, machine, agent);

        ProbeTarget target = supervisor.healthTarget(agent).orElseThrow();
        assertThat(target.host()).isEqualTo("127.0.0.1");
        assertThat(target.port()).isNotEqualTo(agent.healthCheckPort());
        assertThat(supervisor.healthTarget(agent).orElseThrow().port()).as("one forward per agent port").isEqualTo(target.port());
        StartOutcome started = supervisor.start(agent);
        assertThat(started).as(started.summary()).isInstanceOf(StartOutcome.Healthy.class);
        assertThat(((StartOutcome.Healthy) started).probe()).isEqualTo("GET http://127.0.0.1:%d/health".formatted(target.port()));
        assertThat(supervisor.status(agent).healthy()).isTrue();
        assertThat(supervisor.metricsTarget(agent).orElseThrow().uri().getPort()).isEqualTo(target.port());
    }

    @Test
    void aHostThatCannotBeReachedFailsItsOwnAgentsAndTheOthersCarryOn(HistoryDatabase db) {
        SshAccess down = new SshAccess("nobody@127.0.0.1", Ports.free(), null, null, Map.of(), false, SshAccess.DEFAULT_FORKS, null);
        Machine gone = new Machine("gone", fleet, "python3", Map.of(), Map.of(), down);
        Machine up = remote("pc2", sshd.access(), Map.of("CHILD_FILE", dir.resolve("child.pid").toString()));
        Agent lost = agent("gone", "Lost");
        Agent fine = agent("pc2", "Fine");
        Inventory inventory = new Inventory(List.of(gone, up), List.of(lost, fine));
        Supervisor supervisor = new Supervisor(home, inventory, new RuntimeStore(db), Duration.ofSeconds(30), Duration.ofSeconds(5));
        cleanup.add(() -> supervisor.stop(fine));

        List<StartOutcome> starts = supervisor.startAll(List.of(lost, fine), Supervisor::start, o -> { });
        assertThat(starts.get(0)).isInstanceOf(StartOutcome.NotStartable.class);
        assertThat(((StartOutcome.NotStartable) starts.get(0)).reason()).contains("cannot reach machine gone", "nobody@127.0.0.1",
                "Connection refused");
        assertThat(starts.get(1)).as(starts.get(1).summary()).isInstanceOf(StartOutcome.Healthy.class);

        List<AgentStatus> statuses = supervisor.statusAll(List.of(lost, fine));
        assertThat(statuses.get(0).supervision()).isEqualTo(AgentStatus.Supervision.UNREACHABLE);
        assertThat(statuses.get(0).note()).contains("cannot reach machine gone");
        assertThat(statuses.get(1).supervision()).isEqualTo(AgentStatus.Supervision.RUNNING);
        assertThat(supervisor.stop(lost)).isInstanceOf(StopOutcome.Failed.class);
    }
}
