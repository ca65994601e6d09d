package io.fleetshell.history;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.DeploymentJournal;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.LockHolder;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Restorer;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The fleetshell side of {@code bench/rollback.py}: a fleet of N agent files whose rewrites a deployment
 * applied (set up untimed: files written, steps recorded as applied), then {@code rollback --deployment}'s
 * engine call, timed: backups read from history, intents committed, originals written atomically (fsync,
 * rename) in parallel, each read back and verified by checksum, outcomes committed. Prints
 * {@code restore_ms=...} and fails unless every file is its original again.
 *
 * <p>Arguments: DIRECTORY AGENTS
 */
public final class RollbackBench {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        RolloutFleet fleet = RolloutFleet.create(dir.resolve("fleet"), count);
        fleet.reset();
        try (HistoryDatabase db = HistoryDatabase.open(dir.resolve("history.db"))) {
            DeploymentStore store = new DeploymentStore(db);
            Plan plan = fleet.plan("100%", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);
            long id = store.create(plan, plan.options().toMap(), LockHolder.self(null, "deploy", "bench"));
            List<StoredStep> steps = store.steps(id);
            for (StoredStep step : steps) {
                Files.write(step.file(), RolloutFleet.edited(fleet.originals.get(step.agent())));
            }
            store.record(steps, DeploymentJournal.OUTCOME, "applied", StepState.APPLIED, "set up by the benchmark");
            store.finish(id, DeploymentState.COMPLETED, "set up by the benchmark");
            RolloutExecutor executor = new RolloutExecutor(store, fleet.lookup(), (a, r, h) -> {
                throw new IllegalStateException("a rollback proves nothing");
            }, List.of(), AgentRuntime.NOT_RUNNING, "bench");

            long start = System.nanoTime();
            RolloutExecutor.RollbackResult result = executor.rollback(store.steps(id), "rollback --deployment " + id, false);
            long nanos = System.nanoTime() - start;

            long restored = result.outcomes().stream().filter(o -> o instanceof Restorer.Restored).count();
            for (var agent : fleet.agents) {
                if (!Checksums.sha256(agent.script().path()).equals(Checksums.sha256(fleet.originals.get(agent.id())))) {
                    throw new IllegalStateException(agent.id() + " is not its original after the rollback");
                }
            }
            if (restored != count) {
                throw new IllegalStateException("restored " + restored + " of " + count);
            }
            System.out.println("restore_ms=" + nanos / 1e6 + " at=" + Instant.now());
        }
    }
}
