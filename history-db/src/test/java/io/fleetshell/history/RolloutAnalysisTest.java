package io.fleetshell.history;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.compare.AnalysisRun;
import io.fleetshell.engine.compare.AnalysisSettings;
import io.fleetshell.engine.compare.Gates;
import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.compare.TrafficHistory;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentCommands;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.engine.optimize.Optimization;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.rollout.BatchSpec;
import io.fleetshell.engine.rollout.Decision;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.HealthGate;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.rollout.SupervisorRuntime;
import io.fleetshell.engine.runtime.ProbeTarget;
import io.fleetshell.engine.runtime.StartOutcome;
import io.fleetshell.engine.runtime.Reach;
import io.fleetshell.engine.runtime.Supervisor;
import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 item 4: the rollout's analysis catches a rewrite that genuinely slows or breaks an agent's steady-state
 * requests and rolls it back on its own, while a harmless rewrite passes. Real Python agent processes started by the
 * supervisor, real HTTP traffic, the real history database; the slowdown (60 ms a request) and the failures (every
 * request a 500) are far beyond the noise tolerance, so the verdicts do not depend on the machine's load.
 */
@ExtendWith(HistoryDatabaseExtension.class)
class RolloutAnalysisTest {

    private static final String AGENT = """
            \"\"\"A test agent: GET /run answers after DELAY seconds with STATUS; GET /health answers 200.\"\"\"
            import http.server
            import os
            import time

            MODE = 'eager'
            DELAY = 0.0
            STATUS = 200


            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    code = 200
                    if self.path.startswith('/run'):
                        time.sleep(DELAY)
                        code = STATUS
                    body = b'{"agent": "%s"}' % os.environ.get('AGENT_NAME', 'agent').encode()
                    self.send_response(code)
                    self.send_header('Content-Type', 'application/json')
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

                def log_message(self, *args):
                    pass


            http.server.ThreadingHTTPServer(('127.0.0.1', int(os.environ['PORT'])), Handler).serve_forever()
            """;

    @TempDir
    Path dir;

    private Supervisor supervisor;
    private final List<Agent> started = new ArrayList<>();

    @AfterEach
    void stopAgents() {
        started.forEach(supervisor::stop);
    }

    @Test
    void aRewriteThatSlowsOrBreaksRequestsIsRolledBackByTheAnalysisAndAHarmlessOnePasses(HistoryDatabase db) throws IOException {
        Map<String, String[]> edits = new LinkedHashMap<>();
        edits.put("Harmless", new String[]{"MODE = 'eager'", "MODE = 'lazy'"});
        edits.put("Slow", new String[]{"DELAY = 0.0", "DELAY = 0.06"});
        edits.put("Broken", new String[]{"STATUS = 200", "STATUS = 500"});
        List<Agent> agents = new ArrayList<>();
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        for (String name : edits.keySet()) {
            Path file = fleet.resolve(name.toLowerCase() + ".py");
            Files.writeString(file, AGENT);
            int port = Ports.free();
            agents.add(new Agent(new AgentId("m1", name), "core", file.getFileName().toString(),
                    new ScriptResolution(ScriptResolution.Status.FOUND, file, "found"), "127.0.0.1", port, port, false, List.of(),
                    Map.of(), AgentCommands.NONE, false, fleet.resolve("startup_config.yaml"), 1));
        }
        Inventory inventory = new Inventory(List.of(new Machine("m1", fleet, "python3", Map.of(), Map.of())), agents);
        RuntimeStore runtime = new RuntimeStore(db);
        supervisor = new Supervisor(new FleetHome(dir.resolve("home")), inventory, runtime, Duration.ofSeconds(30), Duration.ofSeconds(10));
        for (Agent agent : agents) {
            assertThat(supervisor.start(agent)).isInstanceOf(StartOutcome.Healthy.class);
            started.add(agent);
        }
        AnalysisSettings settings = AnalysisSettings.of(agents.getFirst(), Map.of("starts", 5, "probes", 10, "duration", "2s",
                "request", "GET /run", "rate", "20/s"), "test settings");
        AnalysisRun analysis = new AnalysisRun(supervisor, runtime, new Gates(inventory, new Reach(new FleetHome(dir.resolve("home"))), runtime, TrafficHistory.NONE,
                Thresholds.defaults()),
                Thresholds.defaults(), agent -> settings);
        List<Optimization> optimizations = new ArrayList<>();
        for (Agent agent : agents) {
            byte[] before = Files.readAllBytes(agent.script().path());
            String[] edit = edits.get(agent.name());
            byte[] after = new String(before, StandardCharsets.UTF_8).replace(edit[0], edit[1]).getBytes(StandardCharsets.UTF_8);
            optimizations.add(new Optimization(agent, "python3", "3.11", Map.of("edit", new Applicability.Applies(List.of("test edit"))),
                    new Rewrite("edit", agent.script().path(), before, after, List.of(edit[0] + " -> " + edit[1])), List.of(), List.of(), null));
        }
        DeploymentStore store = new DeploymentStore(db);
        RolloutExecutor executor = new RolloutExecutor(store, id -> agents.stream().filter(a -> a.id().equals(id)).findFirst().orElse(null),
                (agent, rewrite, hints) -> new Proof(List.of(new ProofCheck("written", ProofCheck.Outcome.PASSED, "test proof", Map.of()))),
                List.of(new HealthGate(Duration.ofSeconds(30), agent -> ProbeTarget.of(agent, inventory))), analysis,
                new SupervisorRuntime(supervisor), "test-host");

        DeploymentResult result = executor.run(Planner.of(optimizations, List.of(), Map.of(),
                new RolloutOptions(BatchSpec.parse("3"), Duration.ZERO, 100, OnFail.ROLLBACK_BATCH)), RolloutListener.SILENT);

        Map<String, StoredStep> steps = new LinkedHashMap<>();
        result.steps().forEach(s -> steps.put(s.agent().name(), s));
        assertThat(steps.get("Harmless").state()).as(steps.get("Harmless").detail()).isEqualTo(StepState.APPLIED);
        assertThat(steps.get("Slow").state()).as(steps.get("Slow").detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(steps.get("Broken").state()).as(steps.get("Broken").detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(result.state()).isEqualTo(DeploymentState.COMPLETED);
        assertThat(Files.readString(agents.get(1).script().path())).isEqualTo(AGENT);
        assertThat(Files.readString(agents.get(2).script().path())).isEqualTo(AGENT);
        assertThat(Files.readString(agents.get(0).script().path())).contains("MODE = 'lazy'");

        List<Decision> slow = decisions(store, result, "Slow");
        assertThat(slow).filteredOn(d -> d.name().equals(Gates.LATENCY)).singleElement().satisfies(d -> {
            assertThat(d.verdict()).isEqualTo(Decision.Verdict.FAIL);
            assertThat(d.rule()).contains("Mann-Whitney");
            assertThat(d.evidence()).containsKeys("baseline", "current", "test_worse", "first_use_cost");
        });
        assertThat(slow).filteredOn(d -> d.name().equals("analysis")).singleElement()
                .satisfies(d -> assertThat(d.verdict()).isEqualTo(Decision.Verdict.FAIL));
        assertThat(decisions(store, result, "Broken")).filteredOn(d -> d.name().equals(Gates.ERROR_RATE)).singleElement()
                .satisfies(d -> assertThat(d.verdict()).isEqualTo(Decision.Verdict.FAIL));
        List<Decision> harmless = decisions(store, result, "Harmless");
        assertThat(harmless).filteredOn(d -> d.name().equals("analysis")).singleElement()
                .satisfies(d -> assertThat(d.verdict()).as(d.summary()).isEqualTo(Decision.Verdict.PASS));
        assertThat(harmless).filteredOn(d -> d.name().equals(Gates.TIME_TO_HEALTHY)).singleElement()
                .satisfies(d -> assertThat(((Map<?, ?>) d.evidence().get("baseline")).get("n")).isEqualTo(5));
        // The baseline was measured from the original and stored as the version the gates name.
        assertThat(runtime.runtimeBaseline(agents.getFirst().id())).hasValueSatisfying(b -> assertThat(b.version()).isEqualTo(1));
    }

    /**
     * An agent that runs, but not under fleetshell and without a restart_command, cannot be restarted: the analysis must
     * not try to measure a baseline from it (each start would find its port answered, and the step would fail before its
     * write and stop the rollout). The rewrite is written and proved, and the restart gate holds it for a person to decide;
     * the agent's process is left alone.
     */
    @Test
    void anAgentRunningOutsideFleetshellWithoutARestartCommandIsHeldNotMeasured(HistoryDatabase db) throws Exception {
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Path file = fleet.resolve("foreign.py");
        Files.writeString(file, AGENT);
        int port = Ports.free();
        Agent agent = new Agent(new AgentId("m1", "Foreign"), "core", file.getFileName().toString(),
                new ScriptResolution(ScriptResolution.Status.FOUND, file, "found"), "127.0.0.1", port, port, false, List.of(),
                Map.of(), AgentCommands.NONE, false, fleet.resolve("startup_config.yaml"), 1);
        Inventory inventory = new Inventory(List.of(new Machine("m1", fleet, "python3", Map.of(), Map.of())), List.of(agent));
        ProcessBuilder builder = new ProcessBuilder("python3", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("foreign.log").toFile());
        builder.environment().put("PORT", String.valueOf(port));
        Process foreign = builder.start();
        try {
            RuntimeStore runtime = new RuntimeStore(db);
            supervisor = new Supervisor(new FleetHome(dir.resolve("home")), inventory, runtime, Duration.ofSeconds(30), Duration.ofSeconds(10));
            SupervisorRuntime agents = new SupervisorRuntime(supervisor);
            io.fleetshell.testing.Await.until("the foreign agent answers", Duration.ofSeconds(30), () -> agents.running(agent));
            AnalysisSettings settings = AnalysisSettings.of(agent, Map.of("starts", 2, "probes", 4, "duration", "1s",
                    "request", "GET /run", "rate", "20/s"), "test settings");
            AnalysisRun analysis = new AnalysisRun(supervisor, runtime, new Gates(inventory, new Reach(new FleetHome(dir.resolve("home"))),
                    runtime, TrafficHistory.NONE, Thresholds.defaults()), Thresholds.defaults(), a -> settings);
            byte[] before = Files.readAllBytes(file);
            byte[] after = AGENT.replace("MODE = 'eager'", "MODE = 'lazy'").getBytes(StandardCharsets.UTF_8);
            Optimization optimization = new Optimization(agent, "python3", "3.11", Map.of("edit", new Applicability.Applies(List.of("test edit"))),
                    new Rewrite("edit", file, before, after, List.of("eager -> lazy")), List.of(), List.of(), null);
            DeploymentStore store = new DeploymentStore(db);
            RolloutExecutor executor = new RolloutExecutor(store, id -> agent.id().equals(id) ? agent : null,
                    (a, rewrite, hints) -> new Proof(List.of(new ProofCheck("written", ProofCheck.Outcome.PASSED, "test proof", Map.of()))),
                    List.of(new HealthGate(Duration.ofSeconds(30), a -> ProbeTarget.of(a, inventory))), analysis, agents, "test-host");

            DeploymentResult result = executor.run(Planner.of(List.of(optimization), List.of(), Map.of(),
                    new RolloutOptions(BatchSpec.parse("1"), Duration.ZERO, 0, OnFail.ROLLBACK_BATCH)), RolloutListener.SILENT);

            StoredStep step = result.steps().getFirst();
            assertThat(step.state()).as(step.detail()).isEqualTo(StepState.HELD);
            assertThat(result.state()).as(result.summary()).isEqualTo(DeploymentState.HELD);
            assertThat(Files.readString(file)).contains("MODE = 'lazy'");
            List<Decision> decisions = decisions(store, result, "Foreign");
            assertThat(decisions).noneMatch(d -> d.name().startsWith("analysis"));
            assertThat(decisions).filteredOn(d -> d.name().equals("restart")).singleElement().satisfies(d -> {
                assertThat(d.verdict()).isEqualTo(Decision.Verdict.HOLD);
                assertThat(d.summary()).contains("restart_command");
            });
            assertThat(foreign.isAlive()).as("the process fleetshell does not manage is left running").isTrue();
        } finally {
            foreign.destroyForcibly().waitFor();
        }
    }

    private static List<Decision> decisions(DeploymentStore store, DeploymentResult result, String agent) {
        long step = result.steps().stream().filter(s -> s.agent().name().equals(agent)).findFirst().orElseThrow().id();
        return store.decisions(result.deploymentId()).stream().filter(r -> r.stepId() != null && r.stepId() == step)
                .map(r -> r.decision()).toList();
    }
}
