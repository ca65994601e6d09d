package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.AgentId;

import java.time.Instant;

/**
 * A stored time-to-healthy measurement: one start of one agent.
 *
 * @param id                  its row in history-db ({@code agent_starts}), which evidence points to
 * @param timeToHealthyMillis null when the start never became healthy
 */
public record StartSample(long id, AgentId agent, Instant at, StartOutcome.Method method, boolean healthy,
                          Double timeToHealthyMillis) {
}
