package io.fleetshell.history;

import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.AgentId;

import java.time.Instant;

/** A gate decision as stored: its id, when and on which agent it was taken, and the decision with its evidence. */
public record StoredDecision(long id, Instant at, AgentId agent, GateDecision decision) {
}
