package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.runtime.ProbeTarget;

import java.util.Map;
import java.util.Optional;

/**
 * What the rollout asks of a running fleet: is the agent running, and restart it so it runs the new
 * code ({@link SupervisorRuntime}: the supervisor respawns the agents it supervises and runs
 * {@code restart_command} for agents managed elsewhere).
 */
public interface AgentRuntime {

    /**
     * The outcome of a restart.
     *
     * @param known    whether a restart method is known for the agent at all
     * @param ok       whether it succeeded
     * @param method   how it was restarted (the command run), or why none is known
     * @param evidence raw values: exit status, output, duration
     */
    record Restart(boolean known, boolean ok, String method, Map<String, Object> evidence) {
    }

    boolean running(Agent agent);

    Restart restart(Agent agent);

    /**
     * Whether the agent runs and {@link #restart} knows a way to restart it, asked at once. The analysis measures a
     * baseline only for such an agent: one running outside fleetshell without a {@code restart_command} is held by the
     * restart gate instead. By default every agent that runs.
     */
    default boolean restartable(Agent agent) {
        return running(agent);
    }

    /** How the agent's health is asked; without a machine's {@code global_settings.health_checks} by default. */
    default Optional<ProbeTarget> healthTarget(Agent agent) {
        return ProbeTarget.of(agent, (Machine) null);
    }

    /** A fleet with nothing running: nothing to restart or gate. */
    AgentRuntime NOT_RUNNING = new AgentRuntime() {
        @Override
        public boolean running(Agent agent) {
            return false;
        }

        @Override
        public Restart restart(Agent agent) {
            return new Restart(false, false, "not running", Map.of());
        }
    };
}
