package io.fleetshell.history;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.BatchOutcome;
import io.fleetshell.engine.rollout.BatchPolicy;
import io.fleetshell.engine.rollout.BatchSpec;
import io.fleetshell.engine.rollout.BatchState;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentJournal;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.LockHolder;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Recovery;
import io.fleetshell.engine.rollout.Restorer;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(HistoryDatabaseExtension.class)
class RolloutExecutorTest {

    private static final String HOST = "test-host";

    @TempDir
    Path dir;

    @Test
    void appliesEveryBatchWithBackupsAndDecisions(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 7);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = fleet.plan("1,50%", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);
        assertThat(plan.batchCount()).isEqualTo(3); // 1, then ceil(3.5) = 4, then the 2 left

        DeploymentResult result = executor(store, fleet, Set.of()).run(plan, RolloutListener.SILENT);

        assertThat(result.state()).isEqualTo(DeploymentState.COMPLETED);
        assertThat(result.steps()).extracting(StoredStep::state).containsOnly(StepState.APPLIED);
        for (var agent : fleet.agents) {
            assertThat(Files.readAllBytes(agent.script().path())).isEqualTo(RolloutFleet.edited(fleet.originals.get(agent.id())));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(agent.script().path()))).isEqualTo("rw-r-----");
        }
        List<DeploymentJournal.Backup> backups = store.backups(result.deploymentId());
        assertThat(backups).hasSize(7).allSatisfy(b -> assertThat(b.mode()).isEqualTo(0640));
        assertThat(store.blobs(List.of(backups.getFirst().sha256())).values().iterator().next())
                .isEqualTo(fleet.originals.get(fleet.agents.getFirst().id()));
        assertThat(store.decisions(result.deploymentId())).filteredOn(r -> r.decision().kind().equals("batch gate")).hasSize(3);
        assertThat(store.lockHolder()).isEmpty();
    }

    @Test
    void aFailedProofIsRestoredAtOnceAndTheBatchGateRollsTheBatchBack(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 6);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = fleet.plan("2", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);

        DeploymentResult result = executor(store, fleet, Set.of("Agent003")).run(plan, RolloutListener.SILENT);

        assertThat(result.state()).isEqualTo(DeploymentState.STOPPED);
        assertThat(result.summary()).contains("stopped at batch 2", "failed 1/2 = 50.0% > --max-fail 0.0%");
        assertThat(result.steps()).extracting(StoredStep::state).containsExactly(StepState.APPLIED, StepState.APPLIED,
                StepState.ROLLED_BACK, StepState.ROLLED_BACK, StepState.PENDING, StepState.PENDING);
        assertThat(result.steps().get(3).detail()).contains("proof failed: test_command");
        for (int i = 2; i < 6; i++) {
            var agent = fleet.agents.get(i);
            assertThat(Files.readAllBytes(agent.script().path())).isEqualTo(fleet.originals.get(agent.id()));
        }
        assertThat(Files.list(dir.resolve("agents")).filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
    }

    @Test
    void withMaxFailTheRolloutGoesOnPastAFailure(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 4);
        DeploymentResult result = executor(new DeploymentStore(db), fleet, Set.of("Agent000"))
                .run(fleet.plan("2", 50, OnFail.ROLLBACK_BATCH, Duration.ZERO), RolloutListener.SILENT);
        assertThat(result.state()).isEqualTo(DeploymentState.COMPLETED);
        assertThat(result.steps()).extracting(StoredStep::state).containsExactly(StepState.ROLLED_BACK, StepState.APPLIED,
                StepState.APPLIED, StepState.APPLIED);
    }

    @Test
    void aFileChangedSincePlanningIsNotTouched(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 2);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = fleet.plan("2", 100, OnFail.ROLLBACK_BATCH, Duration.ZERO);
        Path file = fleet.agents.get(1).script().path();
        Files.writeString(file, Files.readString(file) + "# edited by a person\n");
        byte[] edited = Files.readAllBytes(file);

        DeploymentResult result = executor(store, fleet, Set.of()).run(plan, RolloutListener.SILENT);

        assertThat(result.steps().get(1).state()).isEqualTo(StepState.DRIFTED);
        assertThat(Files.readAllBytes(file)).isEqualTo(edited);
        assertThat(store.decisions(result.deploymentId())).anySatisfy(r -> {
            assertThat(r.decision().name()).isEqualTo("unchanged since plan");
            assertThat((String) r.decision().evidence().get("diff")).contains("+# edited by a person");
        });
    }

    @Test
    void manualRollbackRestoresByteExactAndRefusesEditedFilesUnlessForced(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 3);
        DeploymentStore store = new DeploymentStore(db);
        RolloutExecutor executor = executor(store, fleet, Set.of());
        DeploymentResult result = executor.run(fleet.plan("3", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO), RolloutListener.SILENT);
        Path edited = fleet.agents.get(2).script().path();
        Files.writeString(edited, "print('edited after the deploy')\n");

        RolloutExecutor.RollbackResult first = executor.rollback(store.steps(result.deploymentId()), "rollback --deployment", false);

        assertThat(first.outcomes()).filteredOn(o -> o instanceof Restorer.Refused).hasSize(1);
        assertThat(Files.readString(edited)).isEqualTo("print('edited after the deploy')\n");
        for (int i = 0; i < 2; i++) {
            var agent = fleet.agents.get(i);
            assertThat(Checksums.sha256(agent.script().path())).isEqualTo(Checksums.sha256(fleet.originals.get(agent.id())));
        }
        List<StoredStep> left = store.steps(result.deploymentId()).stream().filter(s -> s.state().changed()).toList();
        RolloutExecutor.RollbackResult forced = executor.rollback(left, "rollback --force", true);

        assertThat(forced.outcomes()).singleElement().isInstanceOfSatisfying(Restorer.Restored.class, r -> assertThat(r.replacedEdit()).isTrue());
        assertThat(Files.readAllBytes(edited)).isEqualTo(fleet.originals.get(fleet.agents.get(2).id()));
        assertThat(store.backups(result.deploymentId())).filteredOn(b -> b.reason().equals("forced rollback")).singleElement()
                .satisfies(b -> assertThat(b.sha256()).isEqualTo(Checksums.sha256("print('edited after the deploy')\n")));
        assertThat(store.deployment(result.deploymentId()).orElseThrow().state()).isEqualTo(DeploymentState.ROLLED_BACK);
    }

    @Test
    void aSecondDeploymentIsRefusedWhileTheFleetIsLockedAndADeadHolderIsRecognized(HistoryDatabase db) throws Exception {
        RolloutFleet fleet = RolloutFleet.create(dir, 2);
        DeploymentStore store = new DeploymentStore(db);
        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            LockHolder alive = new LockHolder(null, "deploy", other.pid(), other.info().startInstant().map(Instant::toString).orElse(null),
                    HOST, Instant.parse("2026-11-24T03:00:00Z"));
            Plan plan = fleet.plan("1", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);
            long first = store.create(plan, plan.options().toMap(), alive);
            assertThatThrownBy(() -> executor(store, fleet, Set.of()).persist(fleet.plan("1", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO)))
                    .isInstanceOf(FleetshellException.class)
                    .hasMessageStartingWith("fleet locked by deployment " + first + ", started 2026-11-24 03:00:00 UTC by pid " + other.pid()
                            + " on host test-host")
                    .hasMessageContaining("deploy abort");
            assertThat(store.lockHolder().orElseThrow().deadOn(HOST)).isFalse();
        } finally {
            Await.exit(other.destroyForcibly(), Duration.ofSeconds(60));
        }
        LockHolder dead = store.lockHolder().orElseThrow();
        assertThat(dead.deadOn(HOST)).isTrue();
        assertThatThrownBy(() -> executor(store, fleet, Set.of()).persist(fleet.plan("1", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO)))
                .hasMessageContaining("That process is gone: deploy recover");
    }

    @Test
    void recoveryRestoresAStepCaughtBetweenWriteAndProof(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 2);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = fleet.plan("2", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);
        long id = store.create(plan, plan.options().toMap(), new LockHolder(null, "deploy", 999_999_999L, "gone", HOST, Instant.now()));
        StoredStep step = store.steps(id).getFirst();
        // What a process killed right after the rename leaves: the intent, the rewrite on disk, a stray temp file.
        store.beginWrite(step, new DeploymentJournal.FileMeta(0640, Instant.now()));
        Files.write(step.file(), RolloutFleet.edited(fleet.originals.get(step.agent())));
        Files.writeString(step.tempFile(), "half");

        Recovery recovery = new Recovery(store, HOST);
        assertThat(recovery.interrupted()).extracting(Deployment::id).containsExactly(id);
        Recovery.Result result = recovery.recover(id, AgentRuntime.NOT_RUNNING, fleet.lookup());

        assertThat(result.removedTempFiles()).containsExactly(step.tempFile().toString());
        assertThat(Files.readAllBytes(step.file())).isEqualTo(fleet.originals.get(step.agent()));
        assertThat(store.steps(id)).extracting(StoredStep::state).containsExactly(StepState.ROLLED_BACK, StepState.PENDING);
        assertThat(store.deployment(id).orElseThrow().state()).isEqualTo(DeploymentState.RECOVERED);
        assertThat(store.lockHolder()).isEmpty();
        assertThat(recovery.interrupted()).isEmpty();
    }

    @Test
    void aSecondShellPausesResumesAndAbortsARunningDeploymentThroughTheStore(HistoryDatabase db) throws Exception {
        RolloutFleet fleet = RolloutFleet.create(dir, 3);
        DeploymentStore store = new DeploymentStore(db);
        RolloutExecutor executor = executor(store, fleet, Set.of());
        long id = executor.persist(fleet.plan("1", 0, OnFail.ROLLBACK_BATCH, Duration.ofSeconds(2)));
        java.util.List<String> heard = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        RolloutListener listener = new RolloutListener() {
            @Override
            public void message(String text) {
                heard.add(text);
            }

            @Override
            public void waiting(Duration left, int nextBatch) {
                heard.add("waiting for batch " + nextBatch);
            }
        };
        var running = java.util.concurrent.CompletableFuture.supplyAsync(() -> executor.execute(id, listener));
        Await.until("the wait before batch 2", Duration.ofSeconds(60), () -> heard.contains("waiting for batch 2"));
        store.control(id, "pause");
        Await.until("the pause", Duration.ofSeconds(60), () -> heard.stream().anyMatch(m -> m.startsWith("paused")));
        store.control(id, null);
        Await.until("the resume", Duration.ofSeconds(60), () -> heard.contains("resumed"));
        store.control(id, "abort");

        DeploymentResult result = running.get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(result.state()).isEqualTo(DeploymentState.ABORTED);
        assertThat(result.steps()).extracting(StoredStep::state).containsExactly(StepState.ROLLED_BACK, StepState.PENDING,
                StepState.PENDING);
        for (var agent : fleet.agents) {
            assertThat(Files.readAllBytes(agent.script().path())).isEqualTo(fleet.originals.get(agent.id()));
        }
        assertThat(store.lockHolder()).isEmpty();
    }

    @Test
    void aPolicyCutsTheBatchesOfOneDeploymentAsTheyStartAndResumeGoesOnWithTheStoredSpec(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 6);
        DeploymentStore store = new DeploymentStore(db);
        Plan whole = fleet.plan("100%", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);
        Plan plan = new Plan(whole.pattern(), whole.steps(), whole.skipped(), new RolloutOptions(BatchSpec.parse("2"), Duration.ZERO, 0,
                OnFail.ROLLBACK_BATCH));
        List<String> asked = new ArrayList<>();
        BatchPolicy policy = new BatchPolicy() {
            @Override
            public int nextBatchSize(Progress progress) {
                asked.add("size %d: %d of %d left".formatted(progress.index(), progress.left(), progress.total()));
                return progress.index() == 0 ? 1 : 3;
            }

            @Override
            public boolean shouldContinue(BatchOutcome batch) {
                asked.add("continue after %d: %s, %d applied".formatted(batch.number(), batch.state().text(), batch.count(StepState.APPLIED)));
                return batch.number() < 2;
            }
        };

        DeploymentResult stopped = executor(store, fleet, Set.of()).run(plan, policy, RolloutListener.SILENT);

        assertThat(asked).containsExactly("size 0: 6 of 6 left", "continue after 1: passed, 1 applied", "size 1: 5 of 6 left",
                "continue after 2: passed, 3 applied");
        assertThat(stopped.state()).isEqualTo(DeploymentState.STOPPED);
        assertThat(stopped.summary()).contains("stopped after batch 2 by the rollout's policy (shouldContinue): 2 steps not started");
        long id = stopped.deploymentId();
        assertThat(stopped.steps()).extracting(StoredStep::label).containsExactly(id + ".1.1", id + ".2.1", id + ".2.2", id + ".2.3",
                id + ".3.1", id + ".3.2");
        assertThat(stopped.steps()).extracting(StoredStep::state).containsExactly(StepState.APPLIED, StepState.APPLIED, StepState.APPLIED,
                StepState.APPLIED, StepState.PENDING, StepState.PENDING);
        assertThat(store.batchStates(stopped.deploymentId()).values()).containsExactly(BatchState.PASSED, BatchState.PASSED,
                BatchState.PENDING);
        assertThat(store.lockHolder()).isEmpty();

        // deploy resume has no playbook: the rest goes on in the batches of the spec stored with the deployment
        DeploymentResult resumed = executor(store, fleet, Set.of()).resume(stopped.deploymentId(), RolloutListener.SILENT);

        assertThat(resumed.deploymentId()).isEqualTo(stopped.deploymentId());
        assertThat(resumed.state()).isEqualTo(DeploymentState.COMPLETED);
        assertThat(resumed.steps()).extracting(StoredStep::state).containsOnly(StepState.APPLIED);
        assertThat(resumed.steps()).extracting(StoredStep::batch).containsExactly(1, 2, 2, 2, 3, 3);
        for (var agent : fleet.agents) {
            assertThat(Files.readAllBytes(agent.script().path())).isEqualTo(RolloutFleet.edited(fleet.originals.get(agent.id())));
        }
    }

    @Test
    void rollbackAllUndoesTheEarlierBatchesAPolicyCut(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir, 4);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = fleet.plan("100%", 0, OnFail.ROLLBACK_ALL, Duration.ZERO);
        BatchPolicy pairs = new BatchPolicy() {
            @Override
            public int nextBatchSize(Progress progress) {
                return 2;
            }

            @Override
            public boolean shouldContinue(BatchOutcome batch) {
                return true;
            }
        };

        DeploymentResult result = executor(store, fleet, Set.of("Agent002")).run(plan, pairs, RolloutListener.SILENT);

        assertThat(result.state()).isEqualTo(DeploymentState.ROLLED_BACK);
        assertThat(result.summary()).contains("stopped at batch 2", "every change was rolled back (--on-fail rollback-all)");
        assertThat(result.steps()).extracting(StoredStep::batch).containsExactly(1, 1, 2, 2);
        assertThat(result.steps()).extracting(StoredStep::state).containsOnly(StepState.ROLLED_BACK);
        assertThat(store.batchStates(result.deploymentId()).values()).containsOnly(BatchState.ROLLED_BACK);
        for (var agent : fleet.agents) {
            assertThat(Files.readAllBytes(agent.script().path())).isEqualTo(fleet.originals.get(agent.id()));
        }
    }

    static RolloutExecutor executor(DeploymentStore store, RolloutFleet fleet, Set<String> failing) {
        return new RolloutExecutor(store, fleet.lookup(), RolloutFleet.failingFor(failing), List.of(), AgentRuntime.NOT_RUNNING, HOST);
    }

    static AgentId id(String name) {
        return new AgentId("m1", name);
    }
}
