package io.fleetshell.history;

import io.fleetshell.engine.gate.Analysis;
import io.fleetshell.engine.gate.Gate;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentCommands;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StepProver;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16 items 1, 6 and 10 on the rollout's own fixture fleet: a step whose proof crashes is that step's failure, with
 * its bookkeeping; one script listed for two agents is one step that restarts and gates both; a correct rewrite without
 * gain is skipped, not failed, and rolls nothing else back.
 */
@ExtendWith(HistoryDatabaseExtension.class)
class RolloutBookkeepingTest {

    @TempDir
    Path dir;

    @Test
    void aCrashInsideAStepIsThatStepsFailureRestoredAndRecordedAndTheRolloutGoesOn(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 3);
        DeploymentStore store = new DeploymentStore(db);
        StepProver crashing = (agent, rewrite, hints) -> {
            if (agent.name().equals("Agent001")) {
                // What a probe that did not catch an import error looked like (issue 16 item 1).
                throw new IllegalStateException("the load probe gave no report (exit status 1): OSError: PortAudio library not found. "
                        + "Nothing was changed.");
            }
            return RolloutFleet.failingFor(Set.of()).prove(agent, rewrite, hints);
        };
        RolloutExecutor executor = new RolloutExecutor(store, fleet.lookup(), crashing, List.of(), AgentRuntime.NOT_RUNNING, "test-host");

        DeploymentResult result = executor.run(fleet.plan("3", 50, OnFail.ROLLBACK_BATCH, Duration.ZERO), RolloutListener.SILENT);

        assertThat(result.state()).isEqualTo(DeploymentState.COMPLETED);
        assertThat(result.steps()).extracting(StoredStep::state).containsExactly(StepState.APPLIED, StepState.ROLLED_BACK, StepState.APPLIED);
        StoredStep crashed = result.steps().get(1);
        assertThat(crashed.detail()).contains("the step failed", "PortAudio").doesNotContainIgnoringCase("nothing was changed");
        assertThat(Files.readAllBytes(crashed.file())).isEqualTo(fleet.originals.get(crashed.agent()));
        assertThat(store.decisions(result.deploymentId())).anySatisfy(r -> {
            assertThat(r.stepId()).isEqualTo(crashed.id());
            assertThat(r.decision().name()).isEqualTo("step");
            assertThat(r.decision().summary()).contains("PortAudio");
        });
        assertThat(store.lockHolder()).isEmpty();
    }

    @Test
    void aCorrectRewriteWithoutGainIsSkippedNotFailedAndTheGoodOnesStay(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 3);
        DeploymentStore store = new DeploymentStore(db);
        StepProver noGainFor1 = (agent, rewrite, hints) -> {
            List<ProofCheck> checks = new ArrayList<>(RolloutFleet.failingFor(Set.of()).prove(agent, rewrite, hints).checks());
            if (agent.name().equals("Agent001")) {
                checks.add(new ProofCheck("load time", ProofCheck.Outcome.FAILED, "not faster: 41.2 -> 40.9 ms median, p = 0.41",
                        Map.of("p", 0.41)));
            }
            return new Proof(checks);
        };
        RolloutExecutor executor = new RolloutExecutor(store, fleet.lookup(), noGainFor1, List.of(), AgentRuntime.NOT_RUNNING, "test-host");

        // --max-fail 0: a skipped step must not trip the batch gate and roll the good ones back.
        DeploymentResult result = executor.run(fleet.plan("3", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO), RolloutListener.SILENT);

        assertThat(result.state()).isEqualTo(DeploymentState.COMPLETED);
        assertThat(result.steps()).extracting(StoredStep::state).containsExactly(StepState.APPLIED, StepState.SKIPPED, StepState.APPLIED);
        StoredStep skipped = result.steps().get(1);
        assertThat(skipped.detail()).contains("no gain", "load time", "not faster");
        assertThat(Files.readAllBytes(skipped.file())).isEqualTo(fleet.originals.get(skipped.agent()));
        assertThat(Files.readAllBytes(result.steps().getFirst().file())).isEqualTo(RolloutFleet.edited(fleet.originals.get(
                result.steps().getFirst().agent())));
    }

    @Test
    void oneScriptListedOnTwoMachinesIsOneStepThatRestartsAndGatesBothAgents(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 2);
        Agent hub = fleet.agents.getFirst();
        // The same hub script listed on a second machine.
        Agent twin = new Agent(new AgentId("m2", hub.name()), "core", hub.scriptPath(), hub.script(), "127.0.0.1", null, null, false,
                List.of(), Map.of(), AgentCommands.NONE, false, dir.resolve("m2.yaml"), 1);
        fleet.agents.add(twin);
        Plan plan = fleet.plan("3", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);
        assertThat(plan.steps()).extracting(s -> s.agent().toString()).containsExactly("m1/Agent000", "m1/Agent001");
        assertThat(plan.skipped()).singleElement().satisfies(s -> {
            assertThat(s.agent()).isEqualTo(twin.id());
            assertThat(s.reason()).contains("same script as m1/Agent000", "one file, one step");
        });
        List<AgentId> restarted = new ArrayList<>();
        List<AgentId> gated = new ArrayList<>();
        AgentRuntime running = new AgentRuntime() {
            @Override
            public boolean running(Agent agent) {
                return true;
            }

            @Override
            public Restart restart(Agent agent) {
                restarted.add(agent.id());
                return new Restart(true, true, "test restart", Map.of());
            }
        };
        Gate healthy = new Gate() {
            @Override
            public String name() {
                return "health";
            }

            @Override
            public GateDecision evaluate(Agent agent, Instant since) {
                gated.add(agent.id());
                return new GateDecision("health", GateDecision.Verdict.PASS, "test", "healthy", Map.of());
            }
        };
        RolloutExecutor executor = new RolloutExecutor(new DeploymentStore(db), fleet.lookup(), file -> fleet.agents.stream()
                .filter(a -> a.script().path().toAbsolutePath().normalize().equals(file)).toList(), RolloutFleet.failingFor(Set.of()),
                List.of(healthy), null, running, "test-host");

        DeploymentResult result = executor.run(plan, RolloutListener.SILENT);

        assertThat(result.state()).isEqualTo(DeploymentState.COMPLETED);
        assertThat(result.steps()).extracting(StoredStep::state).containsOnly(StepState.APPLIED);
        assertThat(restarted).containsExactly(hub.id(), twin.id(), fleet.agents.get(1).id());
        assertThat(gated).containsExactly(hub.id(), twin.id(), fleet.agents.get(1).id());
    }

    @Test
    void anInconclusiveAnalysisHoldsNamingWhatIsMissingAndResumeExtendDecidesAgain(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 2);
        DeploymentStore store = new DeploymentStore(db);
        List<String> calls = new ArrayList<>();
        Analysis analysis = new Analysis() {
            @Override
            public Baseline baseline(Agent agent) {
                calls.add("baseline " + agent.name());
                return new Baseline.Ready(Instant.now().minusSeconds(10), Instant.now(), "runtime baseline v1 (test)", Map.of());
            }

            @Override
            public Result judge(Agent agent, Baseline.Ready baseline, Instant restartedAt) {
                calls.add("judge " + agent.name());
                return new Result(Outcome.INCONCLUSIVE, OnInconclusive.HOLD, List.of(), Map.of(),
                        "analysis inconclusive after 5s of measurement: error rate: need 12 more trials", Map.of(
                        "baseline", Map.of("from", baseline.from().toString(), "to", baseline.to().toString(), "source", baseline.source()),
                        "current", Map.of("from", restartedAt.toString(), "to", Instant.now().toString(), "source", "test")));
            }

            @Override
            public Result extend(Agent agent, Baseline.Ready baseline, Instant changedAt, Duration extra) {
                calls.add("extend " + agent.name() + " " + extra.toSeconds());
                return new Result(Outcome.PASS, OnInconclusive.HOLD, List.of(), Map.of(), "analysis passed", Map.of());
            }
        };
        AgentRuntime running = new AgentRuntime() {
            @Override
            public boolean running(Agent agent) {
                return true;
            }

            @Override
            public Restart restart(Agent agent) {
                return new Restart(true, true, "test restart", Map.of());
            }
        };
        RolloutExecutor executor = new RolloutExecutor(store, fleet.lookup(), RolloutFleet.failingFor(Set.of()), List.of(), analysis,
                running, "test-host");

        DeploymentResult held = executor.run(fleet.plan("1", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO), RolloutListener.SILENT);

        assertThat(held.state()).isEqualTo(DeploymentState.HELD);
        assertThat(held.summary()).contains("need 12 more trials", "deploy resume %d accepts them".formatted(held.deploymentId()),
                "deploy resume %d --extend 2m".formatted(held.deploymentId()), "rollback --batch %d.1".formatted(held.deploymentId()));
        assertThat(held.steps()).extracting(StoredStep::state).containsExactly(StepState.HELD, StepState.PENDING);

        DeploymentResult resumed = executor.resume(held.deploymentId(), Duration.ofMinutes(2), RolloutListener.SILENT);

        // The extended analysis passed the held step; the second batch ran (and was held by the same test analysis).
        assertThat(calls).containsSubsequence("judge Agent000", "extend Agent000 120", "judge Agent001");
        assertThat(resumed.steps().getFirst().state()).isEqualTo(StepState.APPLIED);
        assertThat(resumed.steps().get(1).state()).isEqualTo(StepState.HELD);
    }
}
