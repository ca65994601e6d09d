package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.runtime.HealthProbe;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.runtime.ProbeTarget;
import io.fleetshell.engine.runtime.StartOutcome;
import io.fleetshell.engine.runtime.Supervisor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime with fleetshell's supervisor: an agent runs when the supervisor tracks it or its
 * {@code /health} answers; it restarts through the supervisor (which respawns the agents it supervises
 * and runs {@code restart_command} for the others, and records the time to healthy that the
 * time-to-healthy gate compares). A running agent neither supervised nor with a restart_command has no
 * known restart method.
 */
public final class SupervisorRuntime implements AgentRuntime {

    private final Supervisor supervisor;

    public SupervisorRuntime(Supervisor supervisor) {
        this.supervisor = supervisor;
    }

    @Override
    public boolean running(Agent agent) {
        return supervisor.running(agent).isPresent() || answers(agent);
    }

    /** Any answer on its health check, even an unhealthy one, means something runs there. */
    private boolean answers(Agent agent) {
        return healthTarget(agent).map(t -> new HealthProbe().probe(t).outcome())
                .filter(o -> o == ProbeResult.Outcome.HEALTHY || o == ProbeResult.Outcome.BAD_STATUS).isPresent();
    }

    @Override
    public Optional<ProbeTarget> healthTarget(Agent agent) {
        return supervisor.healthTarget(agent);
    }

    /** Supervised (so running), or answering with a restart_command: the supervisor is asked once (over ssh, one session). */
    @Override
    public boolean restartable(Agent agent) {
        return supervisor.running(agent).isPresent() || (hasRestartCommand(agent) && answers(agent));
    }

    private static boolean hasRestartCommand(Agent agent) {
        return agent.commands().restart() != null && !agent.commands().restart().isBlank();
    }

    @Override
    public Restart restart(Agent agent) {
        boolean supervised = supervisor.running(agent).isPresent();
        if (!supervised && !hasRestartCommand(agent)) {
            return new Restart(false, false, "%s runs, but fleetshell does not supervise it and it has no restart_command (nor its machine %s)"
                    .formatted(agent.name(), agent.machine()), Map.of());
        }
        StartOutcome outcome = supervisor.restart(agent);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("method", supervised ? "supervised" : "restart_command");
        evidence.put("outcome", outcome.getClass().getSimpleName());
        evidence.put("summary", outcome.summary());
        evidence.put("output", outcome.summary());
        return new Restart(true, outcome.healthy(), supervised ? "respawned by the supervisor" : agent.commands().restart(), evidence);
    }
}
