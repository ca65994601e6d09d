package io.fleetshell.engine.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import io.fleetshell.engine.inventory.AgentId;

import java.time.Instant;

/**
 * One health probe of one agent, as stored: what was asked, what came back and how long it took. It serializes
 * (the {@code health} of {@code agents status --json}) without the agent and the time, which its holder gives.
 *
 * @param agent         the agent probed
 * @param at            when the probe started
 * @param target        what was asked ({@link ProbeTarget#describe()})
 * @param outcome       healthy, or why not
 * @param statusCode    the HTTP status, when an answer came
 * @param millis        time until the answer, the failure or the timeout
 * @param detail        why it was not healthy, in one line; null when it was
 * @param reportedAgent the {@code agent} field of the JSON answer, when there was one
 * @param clockSkewMillis the agent's HTTP {@code Date} header minus the local clock at the answer (1 s
 *                      resolution), when the answer carried one
 * @param rssKb         resident memory of the agent's process, when fleetshell supervises it
 */
@JsonPropertyOrder({"healthy", "outcome", "target"})
public record ProbeResult(@JsonIgnore AgentId agent, @JsonIgnore Instant at, String target, Outcome outcome, Integer statusCode,
                          double millis, String detail, String reportedAgent, @JsonProperty("clock_skew_ms") Long clockSkewMillis,
                          Long rssKb) {

    public enum Outcome {
        /** HTTP 200, or the TCP connection was accepted. */
        HEALTHY,
        /** An HTTP answer other than 200. */
        BAD_STATUS,
        /** No answer within the timeout. */
        TIMEOUT,
        /** Connection refused, reset, or the host is unreachable. */
        UNREACHABLE,
        /** The agent has no port to check. */
        NOT_CONFIGURED;

        @JsonValue
        String label() {
            return name().toLowerCase();
        }
    }

    @JsonProperty
    public boolean healthy() {
        return outcome == Outcome.HEALTHY;
    }

    /** The same probe with the agent's resident memory added. */
    public ProbeResult withRss(Long kb) {
        return new ProbeResult(agent, at, target, outcome, statusCode, millis, detail, reportedAgent, clockSkewMillis, kb);
    }

    /** One line for tables: {@code 200 in 3 ms}, {@code timeout after 3000 ms}, ... */
    public String oneLine() {
        return switch (outcome) {
            case HEALTHY -> (statusCode == null ? "connected" : String.valueOf(statusCode)) + " in %.0f ms".formatted(millis);
            // an error status says it all; a 200 (or none) that still failed says why in its detail
            case BAD_STATUS -> statusCode != null && statusCode != 200 || detail == null ? "HTTP %d in %.0f ms".formatted(statusCode, millis)
                    : "%s (%.0f ms)".formatted(detail, millis);
            case TIMEOUT -> "no answer within %.0f ms".formatted(millis);
            case UNREACHABLE, NOT_CONFIGURED -> detail;
        };
    }
}
