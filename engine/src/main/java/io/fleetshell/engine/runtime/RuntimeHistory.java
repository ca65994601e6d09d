package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.AgentId;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where run-time measurements are kept (history-db implements it): every start with its
 * time-to-healthy, and every health probe. Reads return samples in time order with their row ids.
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

    /** The agent's newest runtime baseline window. */
    Optional<RuntimeBaseline> runtimeBaseline(AgentId agent);

    /** Stores a gate decision with its evidence; returns its id, which {@code explain} shows it by. */
    long recordDecision(AgentId agent, Instant at, io.fleetshell.engine.gate.GateDecision decision);
}
