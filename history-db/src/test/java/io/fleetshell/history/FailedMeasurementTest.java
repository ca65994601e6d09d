package io.fleetshell.history;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.compare.AnalysisRun;
import io.fleetshell.engine.compare.AnalysisSettings;
import io.fleetshell.engine.compare.Gates;
import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.compare.TrafficHistory;
import io.fleetshell.engine.gate.Analysis;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentCommands;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.engine.runtime.Reach;
import io.fleetshell.engine.runtime.StartOutcome;
import io.fleetshell.engine.runtime.Supervisor;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19 (the new-user walk of session 4): an analysis measurement that fails partway stops the agent processes it
 * started. There, two measurements of one agent at once restarted it against each other; one start's record was lost,
 * the next start found the port answered ("GET .../health already answers") and the measurement failed, leaving a
 * healthy agent process running that nothing tracked. Here a real Python agent loses its record the same way (its
 * {@code /run} handler removes its pid file, as the start beside it did): the baseline's second restart finds the port
 * answered, and every process the measurement started must be gone afterwards.
 */
@ExtendWith(HistoryDatabaseExtension.class)
class FailedMeasurementTest {

    private static final String AGENT = """
            import http.server
            import os

            with open(os.environ['TEST_PIDS'], 'a') as f:
                f.write('%d\\n' % os.getpid())


            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path.startswith('/run'):
                        try:
                            os.remove(os.environ['TEST_PID_FILE'])
                        except FileNotFoundError:
                            pass
                    self.send_response(200)
                    self.send_header('Content-Length', '2')
                    self.end_headers()
                    self.wfile.write(b'ok')

                def log_message(self, *args):
                    pass


            http.server.ThreadingHTTPServer(('127.0.0.1', int(os.environ['PORT'])), Handler).serve_forever()
            """;

    @TempDir
    Path dir;

    private Path pids;

    @AfterEach
    void killWhatIsLeft() throws IOException {
        if (pids != null && Files.isRegularFile(pids)) {
            for (String pid : Files.readAllLines(pids)) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aMeasurementThatFindsThePortAnsweredStopsTheProcessesItStarted(HistoryDatabase db) throws IOException {
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Path file = fleet.resolve("alpha.py");
        Files.writeString(file, AGENT);
        pids = dir.resolve("pids.txt");
        FleetHome home = new FleetHome(dir.resolve("home"));
        int port = Ports.free();
        Agent alpha = new Agent(new AgentId("m1", "Alpha"), "core", file.getFileName().toString(),
                new ScriptResolution(ScriptResolution.Status.FOUND, file, "found"), "127.0.0.1", port, port, false, List.of(),
                Map.of(), AgentCommands.NONE, false, fleet.resolve("startup_config.yaml"), 1);
        Map<String, String> environment = Map.of("TEST_PIDS", pids.toString(),
                "TEST_PID_FILE", home.agentPidFile("m1", "Alpha").toString());
        Inventory inventory = new Inventory(List.of(new Machine("m1", fleet, "python3", environment, Map.of())), List.of(alpha));
        RuntimeStore runtime = new RuntimeStore(db);
        Supervisor supervisor = new Supervisor(home, inventory, runtime, Duration.ofSeconds(30), Duration.ofSeconds(10));
        assertThat(supervisor.start(alpha)).isInstanceOf(StartOutcome.Healthy.class);
        AnalysisSettings settings = AnalysisSettings.of(alpha, Map.of("starts", 3, "probes", 3, "duration", "3s",
                "request", "GET /run", "rate", "10/s"), "test settings");
        AnalysisRun analysis = new AnalysisRun(supervisor, runtime, new Gates(inventory, new Reach(home), runtime, TrafficHistory.NONE,
                Thresholds.defaults()), Thresholds.defaults(), agent -> settings);

        Analysis.Baseline baseline = analysis.baseline(alpha);

        assertThat(baseline).isInstanceOf(Analysis.Baseline.Unusable.class);
        String why = ((Analysis.Baseline.Unusable) baseline).reason();
        assertThat(why).contains("start 2 of 3", "already answers", "which this measurement had started and fleetshell no longer tracked");
        List<Long> started = Files.readAllLines(pids).stream().map(p -> Long.parseLong(p.strip())).toList();
        assertThat(started).as("the test's start and the measurement's first restart").hasSize(2);
        for (long pid : started) {
            Await.until("pid " + pid + " to be gone", Duration.ofSeconds(30),
                    () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        }
    }
}
