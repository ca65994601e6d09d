package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runtime as the startup configs describe it: an agent runs when its {@code /health} answers, and
 * restarts through its {@code restart_command} (else its machine's), run from the fleet root.
 */
public final class ConfiguredRuntime implements AgentRuntime {

    private final Inventory inventory;
    private final Duration timeout;

    public ConfiguredRuntime(Inventory inventory, Duration timeout) {
        this.inventory = inventory;
        this.timeout = timeout;
    }

    @Override
    public boolean running(Agent agent) {
        String url = HealthProbe.url(agent);
        return url != null && HealthProbe.probe(url).status() > 0;
    }

    @Override
    public Restart restart(Agent agent) {
        String configured = agent.commands().restart();
        if (configured == null || configured.isBlank()) {
            return new Restart(false, false, "no restart_command for " + agent.name() + " or its machine " + agent.machine(), Map.of());
        }
        Machine machine = inventory.machine(agent.machine()).orElseThrow();
        String command = CommandRun.expand(configured, agent.name(), agent.machine(), agent.script().path().toString());
        CommandRun run = CommandRun.run(command, machine.fleetRoot(), machine.environment(), timeout);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("command", command);
        evidence.put("directory", machine.fleetRoot().toString());
        evidence.put("exit_status", run.exitStatus());
        evidence.put("millis", run.millis());
        evidence.put("output", run.output());
        return new Restart(true, run.ok(), command, evidence);
    }

    static Path root(Inventory inventory, Agent agent) {
        return inventory.machine(agent.machine()).map(Machine::fleetRoot).orElseThrow();
    }
}
