package io.fleetshell.history;

import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.host.SshHost;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StepProver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The process {@link RemoteCrashRecoveryTest} kills: {@link CrashChild}'s deployment (a shared module's step of many
 * files first, then the agents in batches, one agent's proof failing so a step is restored mid-run; with
 * {@code rollback} the whole deployment rolled back after) on a fleet whose files are on a host reached over ssh: every
 * read, backup, write, proof read and restore goes through the machine's {@link SshHost}. Prints {@code ready} and
 * {@code planned} as CrashChild does.
 *
 * <p>Arguments: DATABASE FLEET_ROOT AGENTS LIBS deploy|rollback SSH_CONFIG ALIAS STATE_DIR SOCKETS
 */
public final class RemoteCrashChild {

    static final String HOST = "remote-crash-test-host";
    static final String FAILING = "Agent001";

    public static void main(String[] args) throws Exception {
        try (HistoryDatabase db = HistoryDatabase.open(Path.of(args[0]))) {
            // The fleet's files exist here too, at the same paths, only as the planner's input (the rollout never
            // touches them: the test checks they keep their bytes).
            RolloutFleet fleet = RolloutFleet.create(Path.of(args[1]), Integer.parseInt(args[2]));
            DeploymentStore store = new DeploymentStore(db);
            Host host = new SshHost("m1", new SshAccess(args[6], null, null, Path.of(args[5]), Map.of(), false, SshAccess.DEFAULT_FORKS, args[7]),
                    "python3", Path.of(args[8]));
            StepProver agentsFail = RolloutFleet.failingFor(Set.of(FAILING), host);
            StepProver modulePasses = RolloutFleet.failingFor(Set.of(), host);
            StepProver prover = new StepProver() {
                @Override
                public Proof prove(Agent agent, Rewrite rewrite, ProofHints hints) {
                    return agentsFail.prove(agent, rewrite, hints);
                }

                @Override
                public Proof proveModule(String module, List<Agent> dependents, List<Rewrite> files, ProofHints hints) {
                    return modulePasses.proveModule(module, dependents, files, hints);
                }
            };
            RolloutExecutor executor = new RolloutExecutor(store, fleet.lookup(), prover, List.of(), AgentRuntime.NOT_RUNNING, HOST)
                    .onHosts(id -> host);
            System.out.println("ready");
            System.out.flush();
            Plan agents = fleet.plan("2,50%", 100, OnFail.ROLLBACK_BATCH, Duration.ZERO);
            long id = executor.persist(Planner.of(List.of(fleet.sharedModule(Integer.parseInt(args[3]))), fleet.optimizations(), List.of(),
                    Map.of(), agents.options()));
            System.out.println("planned");
            System.out.flush();
            DeploymentResult result = executor.execute(id, RolloutListener.SILENT);
            if (args[4].equals("rollback")) {
                executor.rollback(store.steps(result.deploymentId()), "rollback --deployment " + result.deploymentId(), false);
            }
            System.out.println("done " + result.state().text());
        }
    }
}
