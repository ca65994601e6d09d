package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.AgentId;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where run-time measurements are kept (history-db implements it): every start with its
 * time-to-healthy, every health probe, the synthetic requests of a rollout's analysis and the runtime baseline
 * windows. Reads return samples in time order with their row ids.
 */
public interface RuntimeHistory {

    /** Stores a measured start; returns its sample id. */
    long recordStart(StartOutcome outcome);

    /** Stores a probe; returns its sample id. */
    long recordProbe(ProbeResult probe);

    /** Starts of the agent with {@code from <= at < to}. */
    List<StartSample> starts(AgentId agent, Instant from, Instant to);

    /** Probes of the agent with {@code from <= at < to}. */
    List<ProbeSample> probes(AgentId agent, Instant from, Instant to);

    /** Stores synthetic requests; returns them with their sample ids. */
    List<RequestSample> recordRequests(List<RequestSample> requests);

    /** Synthetic requests to the agent with {@code from <= at < to}. */
    List<RequestSample> requests(AgentId agent, Instant from, Instant to);

    /** Stores a new runtime baseline version of the agent: the window and what it held (sample counts per kind). */
    RuntimeBaseline captureBaseline(AgentId agent, Instant windowStart, Instant windowEnd, java.util.Map<String, Object> summary);

    /** The agent's newest runtime baseline window. */
    Optional<RuntimeBaseline> runtimeBaseline(AgentId agent);

    /** Stores a gate decision with its evidence; returns its id, which {@code explain} shows it by. */
    long recordDecision(AgentId agent, Instant at, io.fleetshell.engine.gate.GateDecision decision);
}
