package io.fleetshell.engine.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fleetshell.engine.inventory.AgentId;

import java.time.Duration;

/**
 * What stopping one agent came to: SIGTERM was enough, SIGKILL was needed, there was nothing to stop, or its machine
 * could not be reached. Each
 * serializes (the {@code --json} of {@code agents stop}) with its {@code result} after the agent, durations in
 * whole milliseconds.
 */
@JsonPropertyOrder({"agent", "result"})
public sealed interface StopOutcome {

    AgentId agent();

    String summary();

    /** What it came to, in one word: the {@code result} field of the JSON output. */
    @JsonProperty
    default String result() {
        return switch (this) {
            case Terminated x -> "sigterm";
            case Killed x -> "sigkill";
            case NotRunning x -> "not_running";
            case Failed x -> "failed";
        };
    }

    /** Exited after SIGTERM within the timeout. */
    record Terminated(AgentId agent, long pid, @JsonIgnore Duration took) implements StopOutcome {
        @JsonProperty("took_ms")
        long tookMs() {
            return took.toMillis();
        }

        @Override
        public String summary() {
            return "stopped: pid %d exited %d ms after SIGTERM".formatted(pid, took.toMillis());
        }
    }

    /** Still running when the SIGTERM timeout ran out, so it was sent SIGKILL. */
    record Killed(AgentId agent, long pid, @JsonIgnore Duration waited) implements StopOutcome {
        @JsonProperty("waited_ms")
        long waitedMs() {
            return waited.toMillis();
        }

        @Override
        public String summary() {
            return "killed: pid %d ignored SIGTERM for %d ms, sent SIGKILL".formatted(pid, waited.toMillis());
        }
    }

    /** fleetshell has no running process of it (never started, already exited, or managed elsewhere). */
    record NotRunning(AgentId agent, String reason) implements StopOutcome {
        @Override
        public String summary() {
            return "not running: " + reason;
        }
    }

    /** It could not be stopped: its machine could not be reached (the reason names the host, what was tried, ssh's line). */
    record Failed(AgentId agent, String reason) implements StopOutcome {
        @Override
        public String summary() {
            return "NOT stopped: " + reason;
        }
    }
}
