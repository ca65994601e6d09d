package io.fleetshell.engine.playbook;

import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.rollout.BatchPolicy;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.score.AgentScore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a playbook can do to the fleet: exactly the operations the shell's commands run, through the
 * same code (the shell implements this port with its session; a simulation implements it from a
 * recorded deployment). A playbook has no other way to reach the fleet, so it cannot get around
 * backups, proofs, locks or the journal the commands keep.
 */
public interface FleetPort {

    /** The inventory as {@code inventory list} shows it. */
    Inventory inventory();

    /** Scores as {@code score} computes them, one per agent, in the order given. */
    List<AgentScore> score(List<Agent> agents);

    /** Measures the agents as {@code profile} does and stores each result as a new baseline version. */
    List<Profiled> profile(List<Agent> agents, int runs);

    /** Each agent's health check now, as {@code agents status} probes it. */
    List<ProbeResult> health(List<Agent> agents);

    /** The agent's request figures from the metric scrapes stored over the last {@code window}. */
    MetricsWindow metrics(Agent agent, Duration window);

    /** The named gates (all when empty) on the agent for the samples since {@code since}; each decision is stored. */
    List<GateDecision> gate(Agent agent, List<String> gates, Instant since);

    /** Resolves a rollout of {@code pattern} over the agents into a plan, as {@code batch deploy} does; nothing is written. */
    Plan plan(List<Agent> agents, String pattern, RolloutOptions options);

    /**
     * Executes a plan as one deployment through the rollout executor as {@code batch deploy} does: backups, atomic
     * writes, proofs ({@code proofRuns} fresh-process loads of each version for the load-time proof), gates, the batch
     * gate and on-fail, the fleet lock, the journal; {@code policy} cuts its batches as they start and decides after
     * each passed batch whether to go on, and {@code listener} hears every batch as it finishes.
     */
    DeploymentResult deploy(Plan plan, int proofRuns, BatchPolicy policy, RolloutListener listener);

    /** Restores every change a deployment still has on disk, as {@code rollback DEPLOYMENT} does. */
    RolloutExecutor.RollbackResult rollback(long deploymentId, String why);

    /** One agent's measurement and the baseline version it was stored as. */
    record Profiled(AgentProfile profile, int baselineVersion) {
    }

    /**
     * Request figures over a window, from the first to the last stored scrape in it.
     *
     * @param scrapes  stored scrapes in the window (0: nothing measured, every figure null)
     * @param requests requests served between the first and last scrape, monitoring paths excluded
     * @param errors   5xx answers among them
     * @param p50Ms    median latency of the last interval, or null when the agent exports no histogram
     * @param p95Ms    95th percentile latency of the last interval, or null
     */
    record MetricsWindow(Agent agent, Duration window, int scrapes, Double requests, Double errors, Double p50Ms, Double p95Ms) {

        public Double errorRate() {
            return requests == null || requests == 0 ? null : errors / requests;
        }
    }
}
