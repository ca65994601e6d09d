package io.fleetshell.history;

import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The process {@link CrashRecoveryTest} kills: opens the history database, deploys the test pattern to a
 * {@link RolloutFleet} in several batches (one agent's proof fails, so a step is restored mid-run), and with
 * {@code rollback} rolls the whole deployment back afterwards. Prints {@code ready} once the database is
 * open and {@code planned} once the plan is stored, so the test's kill instants fall in the rollout rather
 * than in JVM start-up.
 *
 * <p>Arguments: DATABASE FLEET_ROOT AGENTS deploy|rollback
 */
public final class CrashChild {

    static final String HOST = "crash-test-host";

    public static void main(String[] args) throws Exception {
        try (HistoryDatabase db = HistoryDatabase.open(Path.of(args[0]))) {
            RolloutFleet fleet = RolloutFleet.create(Path.of(args[1]), Integer.parseInt(args[2]));
            DeploymentStore store = new DeploymentStore(db);
            RolloutExecutor executor = new RolloutExecutor(store, fleet.lookup(), RolloutFleet.failingFor(Set.of("Agent004")),
                    List.of(), AgentRuntime.NOT_RUNNING, HOST);
            System.out.println("ready");
            System.out.flush();
            long id = executor.persist(fleet.plan("2,4,50%", 100, OnFail.ROLLBACK_BATCH, Duration.ZERO));
            System.out.println("planned");
            System.out.flush();
            DeploymentResult result = executor.execute(id, RolloutListener.SILENT);
            if (args[3].equals("rollback")) {
                executor.rollback(store.steps(result.deploymentId()), "rollback --deployment " + result.deploymentId(), false);
            }
            System.out.println("done " + result.state().text());
        }
    }
}
