package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.AgentId;

/**
 * Whether fleetshell runs an agent and whether it answers, at one moment.
 *
 * @param process the supervised process, when {@code supervision} is {@link Supervision#RUNNING}
 * @param probe   the health probe just taken (stored as a sample), or null when there is nothing to probe
 * @param note    why it is in that state, in one line
 */
public record AgentStatus(AgentId agent, Supervision supervision, SupervisedProcess process, ProbeResult probe, String note) {

    public enum Supervision {
        /** fleetshell started it and the process is alive. */
        RUNNING,
        /** fleetshell started it, and the process is gone (it crashed, or was killed from outside). */
        EXITED,
        /** Managed outside fleetshell through its {@code restart_command}. */
        EXTERNAL,
        /** fleetshell has not started it. */
        NOT_STARTED,
        /** Its machine could not be reached (the note says what was tried and what ssh answered). */
        UNREACHABLE
    }

    public boolean healthy() {
        return probe != null && probe.healthy();
    }
}
