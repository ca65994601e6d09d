package io.fleetshell.engine.python;

import io.fleetshell.engine.proof.ProofCheck;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The proof's {@code same loaded state} check (issue 17 item 2): after a full load, with every deferred name used once,
 * the rewrite leaves the interpreter as the original does. Three rewrites passed every other check and broke their agent
 * at run time: a removed import of a fleet module that registered handlers into another one, removed imports read only
 * through {@code exec}, {@code eval} and {@code globals()}, and a removal that flipped {@code "xmlrpc.client" in
 * sys.modules} for code reading it at import time. This check compares
 * <ul>
 *   <li>the names in {@code sys.modules}, once the modules that the removed imports load were imported again (what a
 *       removed import loaded is the point of removing it; what it did to other modules is not);</li>
 *   <li>the state of the agent's module and of every loaded module of the fleet's own code (files under the fleet root):
 *       the same module-level names, the same kinds of values, the same sizes of containers, the same plain values;</li>
 *   <li>names removed on purpose are allowed to be missing only in a module that reads no name by a computed name
 *       ({@code exec}, {@code eval}, {@code globals()}, ...): such a read cannot be shown not to need them.</li>
 * </ul>
 * The original is loaded twice: what differs between those two loads (a start time, a random value, a module a
 * thread loads) is not a difference the rewrite made, and is left out.
 */
final class LoadedState {

    static final String NAME = "same loaded state";
    private static final int SHOWN = 8;

    private LoadedState() {
    }

    /**
     * @param original   the original's first load
     * @param again      the original's second load
     * @param rewritten  the rewrite's load, deferred names used
     * @param removed    names the rewrite removes on purpose
     * @param dynamic    the rewrite's reads by computed names, {@code [[what, line], ...]}
     */
    static ProofCheck check(JsonNode original, JsonNode again, JsonNode rewritten, List<String> removed, JsonNode dynamic) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        if (!removed.isEmpty() && !dynamic.isEmpty()) {
            List<String> places = new ArrayList<>();
            dynamic.forEach(d -> places.add("%s on line %d".formatted(d.get(0).asString(), d.get(1).asInt())));
            evidence.put("removed", removed);
            evidence.put("dynamic_access", places);
            return new ProofCheck(NAME, ProofCheck.Outcome.FAILED, ("the rewrite removes %s, but the module reads names computed at run "
                    + "time (%s): nothing shows that those reads do not need them").formatted(String.join(", ", removed),
                    String.join(", ", places.subList(0, Math.min(SHOWN, places.size())))), evidence);
        }
        Set<String> modulesBefore = strings(original.path("modules"));
        Set<String> unstableModules = difference(modulesBefore, strings(again.path("modules")));
        unstableModules.addAll(difference(strings(again.path("modules")), modulesBefore));
        Set<String> modulesAfter = strings(rewritten.path("modules"));
        Set<String> missing = difference(modulesBefore, modulesAfter);
        Set<String> added = difference(modulesAfter, modulesBefore);
        missing.removeAll(unstableModules);
        added.removeAll(unstableModules);

        Map<String, String> stateBefore = flatten(original.path("own"));
        Map<String, String> stateAgain = flatten(again.path("own"));
        Map<String, String> stateAfter = flatten(rewritten.path("own"));
        List<String> changed = new ArrayList<>();
        int unstable = 0;
        Set<String> keys = new TreeSet<>(stateBefore.keySet());
        keys.addAll(stateAfter.keySet());
        for (String key : keys) {
            String before = stateBefore.get(key);
            if (!java.util.Objects.equals(before, stateAgain.get(key))) {
                unstable++;
                continue;
            }
            String after = stateAfter.get(key);
            if (!java.util.Objects.equals(before, after)) {
                changed.add("%s: %s -> %s".formatted(key.replace("__fleetshell_agent__", "agent"),
                        before == null ? "(absent)" : before, after == null ? "(absent)" : after));
            }
        }
        evidence.put("modules", modulesBefore.size());
        evidence.put("modules_missing", List.copyOf(missing));
        evidence.put("modules_added", List.copyOf(added));
        evidence.put("own_values_compared", keys.size() - unstable);
        evidence.put("own_values_unstable", unstable);
        evidence.put("own_values_changed", changed);
        if (missing.isEmpty() && added.isEmpty() && changed.isEmpty()) {
            return new ProofCheck(NAME, ProofCheck.Outcome.PASSED, ("after a full load the rewrite leaves the same %d modules loaded and "
                    + "the same state in the fleet's own modules (%d values compared)").formatted(modulesBefore.size(), keys.size() - unstable),
                    evidence);
        }
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) {
            parts.add("sys.modules lacks " + shown(missing));
        }
        if (!added.isEmpty()) {
            parts.add("sys.modules gains " + shown(added));
        }
        if (!changed.isEmpty()) {
            parts.add("the fleet's own modules end in another state: " + shown(changed));
        }
        return new ProofCheck(NAME, ProofCheck.Outcome.FAILED, "after a full load of the rewrite (deferred names used) "
                + String.join("; ", parts) + ". What the agent does later may depend on it", evidence);
    }

    private static String shown(java.util.Collection<String> items) {
        List<String> list = List.copyOf(items);
        return String.join(", ", list.subList(0, Math.min(SHOWN, list.size())))
                + (list.size() > SHOWN ? " and %d more".formatted(list.size() - SHOWN) : "");
    }

    /** {@code module.name -> description}; a module with no names still counts as loaded. */
    private static Map<String, String> flatten(JsonNode own) {
        Map<String, String> flat = new TreeMap<>();
        own.properties().forEach(module -> {
            flat.put(module.getKey(), "loaded");
            module.getValue().properties().forEach(name -> flat.put(module.getKey() + "." + name.getKey(), name.getValue().asString()));
        });
        return flat;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new TreeSet<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }
}
