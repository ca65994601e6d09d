package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.AgentId;

import java.time.Duration;

/** What stopping one agent came to: SIGTERM was enough, SIGKILL was needed, or there was nothing to stop. */
public sealed interface StopOutcome {

    AgentId agent();

    String summary();

    /** Exited after SIGTERM within the timeout. */
    record Terminated(AgentId agent, long pid, Duration took) implements StopOutcome {
        @Override
        public String summary() {
            return "stopped: pid %d exited %d ms after SIGTERM".formatted(pid, took.toMillis());
        }
    }

    /** Still running when the SIGTERM timeout ran out, so it was sent SIGKILL. */
    record Killed(AgentId agent, long pid, Duration waited) implements StopOutcome {
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
}
