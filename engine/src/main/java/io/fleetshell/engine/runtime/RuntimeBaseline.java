package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.AgentId;

import java.time.Instant;

/**
 * A runtime baseline: a window of time whose stored samples of the agent (starts, probes, scraped
 * metrics) are what later windows are compared against. {@code baseline capture} stores one; a window
 * holds no copies, the samples stay where they are (append-only), so the same ids can be shown in
 * every decision taken on it.
 */
public record RuntimeBaseline(long id, AgentId agent, int version, Instant capturedAt, Instant windowStart, Instant windowEnd) {
}
