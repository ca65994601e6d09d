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
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.rollout.Decision;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.HealthGate;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.rollout.SupervisorRuntime;
import io.fleetshell.engine.runtime.ProbeTarget;
import io.fleetshell.engine.runtime.Reach;
import io.fleetshell.engine.runtime.StartOutcome;
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
import java.util.List;
import java.util.Map;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.rollout.ModuleChange;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14 item 4: a step that rewrites a shared module restarts and gates every running agent that imports it
 * together, and the batch's analysis judges them all. Two real Python agents started by the supervisor import
 * {@code shared_mod}; a change that makes every request fail through the module is rolled back by the analysis (the
 * module byte-exact, the helper it created removed, both agents back on the original); a harmless one passes the error
 * rate on both and its step follows the analysis' verdict. The failure (every request a 500) is far beyond the noise
 * tolerance, so the verdicts asserted do not depend on the machine's load (the start-up gate of the harmless change may).
 */
@ExtendWith(HistoryDatabaseExtension.class)
class ModuleStepAnalysisTest {

    private static final String MODULE = "\"\"\"Shared by every agent.\"\"\"\nMODE = 'eager'\nSTATUS = 200\n";

    private static final String AGENT = """
            import http.server
            import os

            import shared_mod


            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    code = shared_mod.STATUS if self.path.startswith('/run') else 200
                    body = b'{"mode": "%s"}' % shared_mod.MODE.encode()
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
    void theDependentsOfAModuleStepAreRestartedGatedAndAnalysedTogether(HistoryDatabase db) throws IOException {
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Path module = fleet.resolve("shared_mod.py");
        Path helper = fleet.resolve("_fleetshell_lazy.py");
        Files.writeString(module, MODULE);
        List<Agent> agents = new ArrayList<>();
        for (String name : List.of("Alpha", "Beta")) {
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
        DeploymentStore store = new DeploymentStore(db);
        RolloutExecutor executor = new RolloutExecutor(store, id -> agents.stream().filter(a -> a.id().equals(id)).findFirst().orElse(null),
                (agent, rewrite, hints) -> new Proof(List.of(new ProofCheck("written", ProofCheck.Outcome.PASSED, "test proof", Map.of()))),
                List.of(new HealthGate(Duration.ofSeconds(30), agent -> ProbeTarget.of(agent, inventory))), analysis,
                new SupervisorRuntime(supervisor), "test-host");
        List<AgentId> dependents = agents.stream().map(Agent::id).toList();

        DeploymentResult broken = executor.run(Planner.of(change(module, helper, "STATUS = 200", "STATUS = 500", dependents)),
                RolloutListener.SILENT);

        StoredStep step = broken.steps().getFirst();
        assertThat(step.state()).as(step.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(Files.readString(module)).isEqualTo(MODULE);
        assertThat(helper).doesNotExist();
        List<Decision> decisions = decisions(store, broken.deploymentId());
        assertThat(decisions).filteredOn(d -> d.name().startsWith(Gates.ERROR_RATE + " of ")).hasSize(2)
                .allSatisfy(d -> assertThat(d.verdict()).isEqualTo(Decision.Verdict.FAIL));
        assertThat(decisions).filteredOn(d -> d.name().equals("analysis")).singleElement().satisfies(d -> {
            assertThat(d.verdict()).isEqualTo(Decision.Verdict.FAIL);
            assertThat(d.evidence()).containsKeys("m1/Alpha", "m1/Beta");
        });
        assertThat(decisions).extracting(Decision::name).contains("healthy after restart of m1/Alpha", "healthy after restart of m1/Beta");
        assertThat(store.journal(broken.deploymentId())).extracting(e -> e.action())
                .contains("restart m1/Alpha", "restart m1/Beta", "restart after restore");

        DeploymentResult harmless = executor.run(Planner.of(change(module, helper, "MODE = 'eager'", "MODE = 'lazy'", dependents)),
                RolloutListener.SILENT);

        // The harmless change's error rate passes on both dependents whatever the load; its start-up gate may not on a
        // loaded machine, so the step's outcome is checked against the analysis verdict rather than assumed.
        StoredStep judged = harmless.steps().getFirst();
        List<Decision> after = decisions(store, harmless.deploymentId());
        assertThat(after).filteredOn(d -> d.name().startsWith(Gates.ERROR_RATE + " of ")).extracting(Decision::name, Decision::verdict)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(Gates.ERROR_RATE + " of m1/Alpha", Decision.Verdict.PASS),
                        org.assertj.core.groups.Tuple.tuple(Gates.ERROR_RATE + " of m1/Beta", Decision.Verdict.PASS));
        Decision verdict = after.stream().filter(d -> d.name().equals("analysis")).findFirst().orElseThrow();
        assertThat(verdict.evidence()).containsKeys("m1/Alpha", "m1/Beta");
        if (verdict.verdict() == Decision.Verdict.PASS) {
            assertThat(judged.state()).as(judged.detail()).isEqualTo(StepState.APPLIED);
            assertThat(Files.readString(module)).contains("MODE = 'lazy'");
            assertThat(helper).exists();
        } else {
            assertThat(judged.state()).as(judged.detail()).isIn(StepState.ROLLED_BACK, StepState.HELD);
            if (judged.state() == StepState.ROLLED_BACK) {
                assertThat(Files.readString(module)).isEqualTo(MODULE);
                assertThat(helper).doesNotExist();
            }
        }
    }

    @Test
    void anAgentTwoStepsOfABatchRestartIsMeasuredOnceAndJudgesBoth(HistoryDatabase db) throws IOException {
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Path module = fleet.resolve("shared_mod.py");
        Files.writeString(module, MODULE);
        Path file = fleet.resolve("alpha.py");
        Files.writeString(file, AGENT);
        int port = Ports.free();
        Agent alpha = new Agent(new AgentId("m1", "Alpha"), "core", file.getFileName().toString(),
                new ScriptResolution(ScriptResolution.Status.FOUND, file, "found"), "127.0.0.1", port, port, false, List.of(),
                Map.of(), AgentCommands.NONE, false, fleet.resolve("startup_config.yaml"), 1);
        Inventory inventory = new Inventory(List.of(new Machine("m1", fleet, "python3", Map.of(), Map.of())), List.of(alpha));
        RuntimeStore runtime = new RuntimeStore(db);
        supervisor = new Supervisor(new FleetHome(dir.resolve("home")), inventory, runtime, Duration.ofSeconds(30), Duration.ofSeconds(10));
        assertThat(supervisor.start(alpha)).isInstanceOf(StartOutcome.Healthy.class);
        started.add(alpha);
        AnalysisSettings settings = AnalysisSettings.of(alpha, Map.of("starts", 3, "probes", 6, "duration", "1s",
                "request", "GET /run", "rate", "20/s"), "test settings");
        AnalysisRun analysis = new AnalysisRun(supervisor, runtime, new Gates(inventory, new Reach(new FleetHome(dir.resolve("home"))), runtime,
                TrafficHistory.NONE, Thresholds.defaults()), Thresholds.defaults(), agent -> settings);
        DeploymentStore store = new DeploymentStore(db);
        RolloutExecutor executor = new RolloutExecutor(store, id -> id.equals(alpha.id()) ? alpha : null,
                (agent, rewrite, hints) -> new Proof(List.of(new ProofCheck("written", ProofCheck.Outcome.PASSED, "test proof", Map.of()))),
                List.of(new HealthGate(Duration.ofSeconds(30), agent -> ProbeTarget.of(agent, inventory))), analysis,
                new SupervisorRuntime(supervisor), "test-host");
        byte[] own = Files.readAllBytes(file);
        io.fleetshell.engine.optimize.Optimization agentStep = new io.fleetshell.engine.optimize.Optimization(alpha, "python3", "3", Map.of(),
                new Rewrite("edit", file, own, (new String(own, StandardCharsets.UTF_8) + "# edited\n").getBytes(StandardCharsets.UTF_8),
                        List.of()), List.of(), List.of(), null);

        // One batch: the module's step restarts Alpha as its dependent, then Alpha's own step restarts it again.
        List<String> messages = java.util.Collections.synchronizedList(new ArrayList<>());
        RolloutListener recording = new RolloutListener() {
            @Override
            public void message(String text) {
                messages.add(text);
            }
        };
        DeploymentResult result = executor.run(Planner.of(List.of(change(module, fleet.resolve("_fleetshell_lazy.py"), "MODE = 'eager'",
                        "MODE = 'lazy'", List.of(alpha.id()))), List.of(agentStep), List.of(), Map.of(),
                new io.fleetshell.engine.rollout.RolloutOptions(io.fleetshell.engine.rollout.BatchSpec.parse("2"), Duration.ZERO, 0,
                        io.fleetshell.engine.rollout.OnFail.ROLLBACK_BATCH)), recording);

        assertThat(result.steps()).hasSize(2);
        assertThat(messages).as("measured once, not once per step").contains("analysis: measuring m1/Alpha after the change");
        List<Decision> decisions = decisions(store, result.deploymentId());
        assertThat(decisions).filteredOn(d -> d.name().equals("analysis")).hasSize(2)
                .allSatisfy(d -> assertThat(d.summary()).doesNotContain("already answers", "failed during the analysis"));
        assertThat(decisions).filteredOn(d -> d.name().equals(Gates.ERROR_RATE + " of m1/Alpha")).isNotEmpty()
                .allSatisfy(d -> assertThat(d.verdict()).isEqualTo(Decision.Verdict.PASS));
    }

    private static ModuleChange change(Path module, Path helper, String from, String to, List<AgentId> dependents) throws IOException {
        byte[] before = Files.readAllBytes(module);
        byte[] after = new String(before, StandardCharsets.UTF_8).replace(from, to).getBytes(StandardCharsets.UTF_8);
        return new ModuleChange("shared_mod", "m1", module, new ChangeSet("edit", List.of(
                Rewrite.creating("edit", helper, "def lazy(name):\n    return name\n".getBytes(StandardCharsets.UTF_8), List.of()),
                new Rewrite("edit", module, before, after, List.of(from + " -> " + to))), List.of()), dependents, ProofHints.NONE, null);
    }

    private static List<Decision> decisions(DeploymentStore store, long deployment) {
        return store.decisions(deployment).stream().filter(r -> r.stepId() != null).map(r -> r.decision()).toList();
    }
}
