package io.fleetshell.engine.playbook;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.Stats;
import io.fleetshell.engine.score.AgentScore;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The plain objects a playbook receives, built from the engine's records: the same names and figures
 * {@code --json} of the matching command gives, in camelCase as JavaScript reads them.
 */
final class ApiValues {

    private ApiValues() {
    }

    static Map<String, Object> agent(Agent a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id().toString());
        m.put("name", a.name());
        m.put("machine", a.machine());
        m.put("group", a.group());
        m.put("script", a.scriptPath());
        m.put("scriptFound", a.script().found());
        m.put("port", a.port());
        m.put("healthPort", a.healthCheckPort());
        m.put("required", a.required());
        m.put("infrastructure", a.infrastructure());
        m.put("dependencies", a.dependencies());
        return m;
    }

    /** The band as filters name it: {@code high}, {@code medium}, {@code low}. */
    static String band(AgentScore.Band band) {
        return band.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Map<String, Object> score(AgentScore s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agent", s.agent().toString());
        m.put("score", s.score());
        m.put("band", band(s.band()));
        m.put("bandLabel", s.bandLabel());
        m.put("risk", s.risk().name().toLowerCase(Locale.ROOT));
        m.put("status", s.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put("loadMs", s.loadMillis());
        m.put("predictedGainMs", s.predictedGainMs());
        m.put("baselineVersion", s.baselineVersion());
        m.put("recommendations", s.recommendations().stream()
                .map(r -> object("pattern", r.pattern(), "reason", r.reason())).toList());
        m.put("reasons", s.reasons());
        return m;
    }

    static Map<String, Object> profile(FleetPort.Profiled profiled) {
        AgentProfile p = profiled.profile();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agent", p.target().agent().toString());
        m.put("baselineVersion", profiled.baselineVersion());
        m.put("loaded", p.loaded());
        m.put("runs", p.samples().size());
        if (p.loaded()) {
            Stats load = p.loadMillis();
            m.put("loadMs", object("median", load.median(), "min", load.min(), "max", load.max()));
            m.put("peakRssMb", p.peakRssKb().median() / 1024.0);
            m.put("modulesLoaded", p.modulesLoaded().median());
        } else {
            m.put("error", p.failure().map(Object::toString).orElse("failed to load"));
        }
        return m;
    }

    /**
     * Decoded JSON from the script with its non-finite numbers back: the prelude sends NaN and Infinity as
     * {@code {"$number": "NaN"}} because JSON has no literal for them, and a check must see the number it was given.
     */
    static Object restoreNumbers(Object decoded) {
        return switch (decoded) {
            case Map<?, ?> m when m.size() == 1 && m.get("$number") instanceof String text -> switch (text) {
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> Double.NaN;
            };
            case Map<?, ?> m -> {
                Map<Object, Object> restored = new LinkedHashMap<>();
                m.forEach((k, v) -> restored.put(k, restoreNumbers(v)));
                yield restored;
            }
            case List<?> list -> {
                List<Object> restored = new java.util.ArrayList<>(list.size());
                list.forEach(v -> restored.add(restoreNumbers(v)));
                yield restored;
            }
            case null, default -> decoded;
        };
    }

    /** An insertion-ordered object from alternating keys and values: JSON keys print in a fixed order. */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
