package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.AgentId;

import java.time.Instant;

/**
 * One synthetic request fleetshell sent to an agent during a rollout's analysis, as stored
 * ({@code traffic_requests}): when, what, how it ended and how long it took. {@code ordinal} counts the requests
 * since the agent's last start (1 = the first request the fresh process served), so that the latency gate can
 * report the first-use cost of a start apart from steady-state latency.
 *
 * @param id         its row id in history-db, which evidence names; 0 before it is stored
 * @param statusCode the HTTP status, or null when no answer came
 * @param millis     until the answer, the failure or the timeout
 * @param error      why it failed without an answer (timeout, refused), else null
 * @param ordinal    1 for the first request after a start, 2 for the next...
 */
public record RequestSample(long id, AgentId agent, Instant at, String request, Integer statusCode, double millis, String error,
                            int ordinal) {

    /** Whether the agent failed this request: no answer, or a 5xx. A 4xx is the caller's fault and counts as served. */
    public boolean failed() {
        return statusCode == null || statusCode >= 500;
    }

    public RequestSample stored(long rowId) {
        return new RequestSample(rowId, agent, at, request, statusCode, millis, error, ordinal);
    }
}
