package io.fleetshell.history;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.StepProver;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The process {@link CrashRecoveryTest} kills: opens the history database, deploys a shared module's step of many files
 * (a helper it creates, the module, its libs) and the test pattern to a {@link RolloutFleet} in several batches (one agent's proof fails, so a step is restored mid-run), and with
 * {@code rollback} rolls the whole deployment back afterwards. Prints {@code ready} once the database is
 * open and {@code planned} once the plan is stored, so the test's kill instants fall in the rollout rather
 * than in JVM start-up.
 *
 * <p>Arguments: DATABASE FLEET_ROOT AGENTS deploy|rollback
 */
public final class CrashChild {

    static final String HOST = "crash-test-host";

    /** The shared module step's files besides the module and the helper it creates. */
    static final int MODULE_LIBS = 24;

    public static void main(String[] args) throws Exception {
        try (HistoryDatabase db = HistoryDatabase.open(Path.of(args[0]))) {
            RolloutFleet fleet = RolloutFleet.create(Path.of(args[1]), Integer.parseInt(args[2]));
            DeploymentStore store = new DeploymentStore(db);
            StepProver agentsFail = RolloutFleet.failingFor(Set.of("Agent004"));
            StepProver prover = new StepProver() {
                @Override
                public Proof prove(Agent agent, Rewrite rewrite, ProofHints hints) {
                    return agentsFail.prove(agent, rewrite, hints);
                }

                @Override
                public Proof proveModule(String module, List<Agent> dependents, List<Rewrite> files, ProofHints hints) {
                    return RolloutFleet.failingFor(Set.of()).proveModule(module, dependents, files, hints);
                }
            };
            RolloutExecutor executor = new RolloutExecutor(store, fleet.lookup(), prover, List.of(), AgentRuntime.NOT_RUNNING, HOST);
            System.out.println("ready");
            System.out.flush();
            // The shared module's step comes first: one step of many files, so that kills fall between its files too.
            Plan agents = fleet.plan("2,4,50%", 100, OnFail.ROLLBACK_BATCH, Duration.ZERO);
            long id = executor.persist(Planner.of(List.of(fleet.sharedModule(MODULE_LIBS)), fleet.optimizations(), List.of(), Map.of(),
                    agents.options()));
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
