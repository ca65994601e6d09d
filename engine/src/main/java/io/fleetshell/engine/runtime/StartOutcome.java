package io.fleetshell.engine.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import io.fleetshell.engine.inventory.AgentId;

import java.time.Duration;
import java.time.Instant;

/**
 * What starting (or restarting) one agent came to. Only {@link Healthy} and {@link Unhealthy} are
 * measurements of a start and are stored as time-to-healthy samples. Each serializes (the {@code --json} of
 * {@code agents start}) with its {@code result} first after the agent, durations in milliseconds.
 */
@JsonPropertyOrder({"agent", "result"})
public sealed interface StartOutcome {

    AgentId agent();

    /** One line for the user. */
    String summary();

    /** What it came to, in one word: the {@code result} field of the JSON output. */
    @JsonProperty
    default String result() {
        return switch (this) {
            case Healthy x -> "healthy";
            case Unhealthy x -> "failed";
            case AlreadyRunning x -> "already_running";
            case NotStartable x -> "not_started";
        };
    }

    default boolean healthy() {
        return this instanceof Healthy;
    }

    /** How the agent was (re)started. */
    enum Method {
        /** fleetshell spawned the agent's script with its interpreter and tracks the pid. */
        SUPERVISED,
        /** The agent's {@code restart_command} ran; something else manages the process. */
        RESTART_COMMAND;

        @JsonValue
        public String label() {
            return name().toLowerCase();
        }
    }

    /**
     * The agent answered its health check {@code timeToHealthy} after the spawn (or after the restart
     * command started).
     *
     * @param pid the process fleetshell spawned, 0 for a restart command
     */
    @JsonPropertyOrder({"agent", "result", "method", "pid", "spawned_at", "time_to_healthy_ms"})
    record Healthy(AgentId agent, Method method, long pid, Instant spawnedAt, @JsonIgnore Duration timeToHealthy, String probe,
                   String command, @JsonProperty("sample_id") Long id) implements StartOutcome {
        @Override
        public String summary() {
            return "healthy after %d ms (%s)%s".formatted(timeToHealthy.toMillis(), probe, pid > 0 ? ", pid " + pid : "");
        }

        @JsonProperty("time_to_healthy_ms")
        double timeToHealthyMs() {
            return timeToHealthy.toNanos() / 1e6;
        }

        /** The same outcome once stored, with the id of its sample row. */
        public Healthy stored(long sampleId) {
            return new Healthy(agent, method, pid, spawnedAt, timeToHealthy, probe, command, sampleId);
        }
    }

    /**
     * The agent did not become healthy: its process exited, its restart command failed, or the wait
     * ran out. {@code logTail} holds the last lines of its log when there is one.
     */
    @JsonPropertyOrder({"agent", "result", "method", "pid", "spawned_at", "waited_ms"})
    record Unhealthy(AgentId agent, Method method, long pid, Instant spawnedAt, @JsonIgnore Duration waited, String probe,
                     String reason, String logTail, @JsonIgnore String command, @JsonProperty("sample_id") Long id) implements StartOutcome {
        @Override
        public String summary() {
            return "not healthy after %d ms: %s".formatted(waited.toMillis(), reason);
        }

        @JsonProperty("waited_ms")
        double waitedMs() {
            return waited.toNanos() / 1e6;
        }

        public Unhealthy stored(long sampleId) {
            return new Unhealthy(agent, method, pid, spawnedAt, waited, probe, reason, logTail, command, sampleId);
        }
    }

    /** fleetshell already runs it: nothing was started. */
    record AlreadyRunning(AgentId agent, long pid, Instant since) implements StartOutcome {
        @Override
        public String summary() {
            return "already running, pid %d since %s".formatted(pid, since);
        }
    }

    /** It cannot be started from here: no script, no port to check, no way to run it. Nothing was started. */
    record NotStartable(AgentId agent, String reason) implements StartOutcome {
        @Override
        public String summary() {
            return "not started: " + reason;
        }
    }
}
