package io.fleetshell.engine.gate;

import io.fleetshell.engine.inventory.Agent;

import java.time.Instant;

/**
 * One check the rollout asks about an agent after changing it: health, latency, errors, start-up.
 */
public interface Gate {

    /** A short name, e.g. {@code health}, {@code p95 latency}. */
    String name();

    /** The decision on the agent's samples since {@code since} against its stored baseline, with the evidence. */
    GateDecision evaluate(Agent agent, Instant since);
}
