package io.fleetshell.engine.playbook;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.NameSuggestions;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of one {@code fleet} call, as the script passed them (decoded from JSON), with checks
 * that name the function, the argument and what was expected. Every check fails with
 * {@link ErrorCode#PLAYBOOK_INVALID}: a wrong call is a bad playbook, and it fails before anything runs.
 */
final class ApiArgs {

    private final String function;
    private final List<Object> values;

    ApiArgs(String function, List<Object> values) {
        this.function = function;
        this.values = values;
    }

    String function() {
        return function;
    }

    /** Fails unless at most {@code max} arguments were passed (trailing undefined ones do not count). */
    ApiArgs atMost(int max, String usage) {
        int n = values.size();
        while (n > 0 && values.get(n - 1) == null) {
            n--;
        }
        if (n > max) {
            throw bad("takes %s, got %d: fleet.%s".formatted(max == 0 ? "no arguments" : "at most " + max, n, usage));
        }
        return this;
    }

    Object get(int index) {
        return index < values.size() ? values.get(index) : null;
    }

    boolean has(int index) {
        return get(index) != null;
    }

    String string(int index, String what) {
        Object v = get(index);
        if (!(v instanceof String s) || s.isBlank()) {
            throw bad("%s must be a non-empty string, not %s".formatted(what, describe(v)));
        }
        return s;
    }

    Duration duration(int index, String what) {
        Object v = get(index);
        if (!(v instanceof String s)) {
            throw bad("%s must be a duration such as '30s', '5m' or '250ms', not %s".formatted(what, describe(v)));
        }
        return DurationText.parse(s).orElseThrow(() ->
                bad("%s must be a duration such as '30s', '5m' or '250ms', not '%s'".formatted(what, s)));
    }

    /** The object at {@code index} (empty when absent), with only {@code allowed} keys. */
    @SuppressWarnings("unchecked")
    Map<String, Object> options(int index, String what, Collection<String> allowed) {
        Object v = get(index);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw bad("%s must be an object such as {%s: ...}, not %s".formatted(what, allowed.iterator().next(), describe(v)));
        }
        for (Object key : map.keySet()) {
            if (!allowed.contains(key)) {
                List<String> close = NameSuggestions.closest(String.valueOf(key), allowed, 2);
                throw bad("%s has no key '%s'; %sthe keys are %s".formatted(what, key,
                        close.isEmpty() ? "" : "did you mean " + String.join(" or ", close) + "? ", String.join(", ", allowed)));
            }
        }
        return (Map<String, Object>) map;
    }

    int integer(Map<String, Object> options, String key, int defaultValue, int min, int max) {
        Object v = options.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < min || n.intValue() > max) {
            throw bad("%s must be a whole number from %d to %d, not %s".formatted(key, min, max, describe(v)));
        }
        return n.intValue();
    }

    String optionalString(Map<String, Object> options, String key) {
        Object v = options.get(key);
        if (v != null && !(v instanceof String)) {
            throw bad("%s must be a string, not %s".formatted(key, describe(v)));
        }
        return (String) v;
    }

    /**
     * The agents an argument names: one name ({@code 'TutorAgent'} or {@code 'pc2/TutorAgent'}), an agent
     * object from {@code fleet.inventory()}, or an array of those. Every name must exist.
     */
    List<Agent> agents(int index, String what, Inventory inventory) {
        Object v = get(index);
        if (v == null) {
            throw bad("%s is missing: pass agents from fleet.inventory(), or names such as 'TutorAgent'".formatted(what));
        }
        List<Object> refs = v instanceof List<?> list ? new ArrayList<>(list) : List.of(v);
        Set<Agent> agents = new LinkedHashSet<>();
        for (Object ref : refs) {
            agents.add(agent(ref, what, inventory));
        }
        return List.copyOf(agents);
    }

    private Agent agent(Object ref, String what, Inventory inventory) {
        String name;
        if (ref instanceof String s) {
            name = s;
        } else if (ref instanceof Map<?, ?> m && m.get("id") instanceof String id) {
            name = id;
        } else if (ref instanceof Map<?, ?> m && m.get("agent") instanceof String id) {
            name = id;
        } else {
            throw bad("%s must name agents ('TutorAgent', 'pc2/TutorAgent' or objects from fleet.inventory()), not %s"
                    .formatted(what, describe(ref)));
        }
        List<Agent> found = inventory.find(AgentId.parse(name));
        if (found.size() == 1) {
            return found.getFirst();
        }
        if (found.size() > 1) {
            throw bad("%s: %s is on %d machines; name one: %s".formatted(what, name, found.size(),
                    String.join(", ", found.stream().map(a -> a.id().toString()).toList())));
        }
        List<String> close = NameSuggestions.closest(name, inventory.agents().stream().map(Agent::name).toList(), 3);
        throw bad("%s: no agent %s in the inventory%s".formatted(what, name,
                close.isEmpty() ? "" : "; did you mean " + String.join(", ", close) + "?"));
    }

    FleetshellException bad(String message) {
        return new FleetshellException(ErrorCode.PLAYBOOK_INVALID, "fleet.%s: %s".formatted(function, message));
    }

    static String describe(Object v) {
        return switch (v) {
            case null -> "nothing (undefined or null)";
            case String s -> "the string '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
            case Number n -> "the number " + n;
            case Boolean b -> "the boolean " + b;
            case List<?> l -> "an array of " + l.size();
            case Map<?, ?> m -> "an object with keys " + m.keySet();
            default -> v.getClass().getSimpleName();
        };
    }
}
