package io.fleetshell.engine.inventory;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What changed between two inventories: agents added, removed, and changed with the names of the
 * fields that differ, and the machine-wide settings that changed (fleet root, interpreter, environment),
 * which every agent of the machine sees without any agent's entry changing. A moved line alone is not a change.
 */
public record InventoryDiff(List<Agent> added, List<Agent> removed, List<Change> changed, List<MachineChange> machinesChanged) {

    /** One agent present in both, with the fields that differ; in JSON its id is {@code agent}. */
    public record Change(@JsonProperty("agent") AgentId id, List<String> fields) {
    }

    /** One machine present in both, each change one phrase such as {@code PYTHONPATH /app -> /srv/fleet}. */
    public record MachineChange(String machine, List<String> changes) {
    }

    private static final Map<String, Function<Agent, Object>> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("group", Agent::group);
        FIELDS.put("script_path", Agent::scriptPath);
        FIELDS.put("script", a -> a.script().path());
        FIELDS.put("host", Agent::host);
        FIELDS.put("port", Agent::port);
        FIELDS.put("health_check_port", Agent::healthCheckPort);
        FIELDS.put("required", Agent::required);
        FIELDS.put("dependencies", Agent::dependencies);
        FIELDS.put("config", Agent::config);
        FIELDS.put("infrastructure", Agent::infrastructure);
        FIELDS.put("config_file", Agent::configFile);
    }

    public static InventoryDiff between(Inventory before, Inventory after) {
        Map<AgentId, Agent> old = new LinkedHashMap<>();
        before.agents().forEach(a -> old.put(a.id(), a));
        List<Agent> added = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        for (Agent agent : after.agents()) {
            Agent previous = old.remove(agent.id());
            if (previous == null) {
                added.add(agent);
                continue;
            }
            List<String> fields = FIELDS.entrySet().stream()
                    .filter(e -> !Objects.equals(e.getValue().apply(previous), e.getValue().apply(agent)))
                    .map(Map.Entry::getKey)
                    .toList();
            if (!fields.isEmpty()) {
                changed.add(new Change(agent.id(), fields));
            }
        }
        return new InventoryDiff(added, List.copyOf(old.values()), changed, machines(before, after));
    }

    private static List<MachineChange> machines(Inventory before, Inventory after) {
        List<MachineChange> out = new ArrayList<>();
        for (Machine now : after.machines()) {
            before.machine(now.name()).ifPresent(was -> {
                List<String> changes = new ArrayList<>();
                if (!Objects.equals(was.fleetRoot(), now.fleetRoot())) {
                    changes.add("fleet root %s -> %s".formatted(was.fleetRoot(), now.fleetRoot()));
                }
                if (!Objects.equals(was.python(), now.python())) {
                    changes.add("python %s -> %s".formatted(was.python(), now.python()));
                }
                java.util.Set<String> names = new java.util.TreeSet<>(was.environment().keySet());
                names.addAll(now.environment().keySet());
                for (String name : names) {
                    String a = was.environment().get(name);
                    String b = now.environment().get(name);
                    if (a == null) {
                        changes.add("%s set to %s".formatted(name, b));
                    } else if (b == null) {
                        changes.add("%s no longer set (was %s)".formatted(name, a));
                    } else if (!a.equals(b)) {
                        changes.add("%s %s -> %s".formatted(name, a, b));
                    }
                }
                if (!Objects.equals(was.healthCheck(), now.healthCheck())) {
                    changes.add("health_checks %s -> %s".formatted(was.healthCheck(), now.healthCheck()));
                }
                if (!changes.isEmpty()) {
                    out.add(new MachineChange(now.name(), changes));
                }
            });
        }
        return out;
    }

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && machinesChanged.isEmpty();
    }
}
