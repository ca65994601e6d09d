package io.fleetshell.engine.inventory;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The whole fleet as last loaded: its machines and agents, sorted by machine then name. */
public record Inventory(List<Machine> machines, List<Agent> agents) {

    public Inventory {
        machines = machines.stream().sorted(Comparator.comparing(Machine::name)).toList();
        agents = agents.stream().sorted(Comparator.comparing(Agent::id)).toList();
    }

    public static Inventory empty() {
        return new Inventory(List.of(), List.of());
    }

    public boolean isEmpty() {
        return agents.isEmpty();
    }

    public Optional<Machine> machine(String name) {
        return machines.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** Agents whose name matches, on any machine when the id has none. */
    public List<Agent> find(AgentId id) {
        return agents.stream()
                .filter(a -> a.name().equals(id.name()))
                .filter(a -> id.machine() == null || id.machine().equals(a.machine()))
                .toList();
    }

    public List<Agent> onMachine(String machine) {
        return agents.stream().filter(a -> a.machine().equals(machine)).toList();
    }
}
