package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.AgentId;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What starting (or restarting) one agent came to. Only {@link Healthy} and {@link Unhealthy} are
 * measurements of a start and are stored as time-to-healthy samples.
 */
public sealed interface StartOutcome {

    AgentId agent();

    /** One line for the user. */
    String summary();

    default boolean healthy() {
        return this instanceof Healthy;
    }

    /** How the agent was (re)started. */
    enum Method {
        /** fleetshell spawned the agent's script with its interpreter and tracks the pid. */
        SUPERVISED,
        /** The agent's {@code restart_command} ran; something else manages the process. */
        RESTART_COMMAND;

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
    record Healthy(AgentId agent, Method method, long pid, Instant spawnedAt, Duration timeToHealthy, String probe,
                   String command, Long id) implements StartOutcome {
        @Override
        public String summary() {
            return "healthy after %d ms (%s)%s".formatted(timeToHealthy.toMillis(), probe, pid > 0 ? ", pid " + pid : "");
        }

        public Map<String, Object> evidence() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", method.label());
            m.put("pid", pid);
            m.put("spawned_at", spawnedAt.toString());
            m.put("time_to_healthy_ms", timeToHealthy.toNanos() / 1e6);
            m.put("probe", probe);
            m.put("command", command);
            m.put("sample_id", id);
            return m;
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
    record Unhealthy(AgentId agent, Method method, long pid, Instant spawnedAt, Duration waited, String probe,
                     String reason, String logTail, String command, Long id) implements StartOutcome {
        @Override
        public String summary() {
            return "not healthy after %d ms: %s".formatted(waited.toMillis(), reason);
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
