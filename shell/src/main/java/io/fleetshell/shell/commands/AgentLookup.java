package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.NameSuggestions;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;

import java.util.List;

/** Finds the agent or machine a user named, or fails with the closest names as suggestions (exit 2). */
final class AgentLookup {

    private AgentLookup() {
    }

    /** The inventory, or a bad-input error saying how to fill it when it is empty. */
    static Inventory nonEmpty(Inventory inventory) {
        if (inventory.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "the inventory is empty; run demo init or inventory load FILE first");
        }
        return inventory;
    }

    static Agent agent(Inventory inventory, String typed) {
        AgentId id = AgentId.parse(typed);
        List<Agent> matches = inventory.find(id);
        if (matches.size() == 1) {
            return matches.getFirst();
        }
        if (matches.size() > 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s is on %d machines; name one: %s".formatted(
                    typed, matches.size(), String.join(", ", matches.stream().map(a -> a.id().toString()).toList())));
        }
        if (inventory.isEmpty()) {
            throw new FleetshellException(ErrorCode.UNKNOWN_NAME,
                    "no agent " + typed + ": the inventory is empty; run demo init or inventory load FILE first");
        }
        List<String> known = inventory.agents().stream().map(a -> id.machine() == null ? a.name() : a.id().toString()).toList();
        List<String> close = NameSuggestions.closest(typed, known, 3);
        throw new FleetshellException(ErrorCode.UNKNOWN_NAME, "no agent named %s in the inventory; %s".formatted(typed,
                close.isEmpty()
                        ? "the closest names are %s (inventory list shows all %d)".formatted(
                                String.join(", ", NameSuggestions.nearest(typed, known, 3)), known.size())
                        : "did you mean " + String.join(", ", close) + "?"));
    }

    /** The agents named (each once, in the order typed), else every agent, else (with a machine) that machine's. */
    static List<Agent> selected(Inventory inventory, List<String> names, String machine) {
        if (names != null && !names.isEmpty()) {
            if (machine != null) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "name agents or give --machine, not both");
            }
            return names.stream().map(n -> agent(inventory, n)).distinct().toList();
        }
        return machine == null ? inventory.agents() : inventory.onMachine(machine(inventory, machine).name());
    }

    static Machine machine(Inventory inventory, String typed) {
        return inventory.machine(typed).orElseThrow(() -> {
            List<String> names = inventory.machines().stream().map(Machine::name).toList();
            List<String> close = NameSuggestions.closest(typed, names, 3);
            return new FleetshellException(ErrorCode.UNKNOWN_NAME, "no machine named %s; %s".formatted(typed,
                    names.isEmpty() ? "the inventory is empty"
                            : close.isEmpty() ? "known machines: " + String.join(", ", names)
                            : "did you mean " + String.join(", ", close) + "?"));
        });
    }
}
