package io.fleetshell.engine.compare;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.runtime.SyntheticTraffic;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a rollout's analysis measures one agent on each side of a change, from {@code analysis:} in settings.yaml
 * (global, then {@code machines: {NAME: {...}}}), then the agent's own startup-config entry
 * ({@code config: {analysis: {...}}}), then {@code agents: {NAME or MACHINE/NAME: {...}}} in settings.yaml; each
 * later level overrides keys of the earlier ones.
 *
 * @param starts           restarts per side, each a time-to-healthy sample (the rollout's own restart is the first of
 *                         the changed side); default 5
 * @param probes           health probes per side, spread over the window (error rate without traffic, memory); default 30
 * @param duration         how long each side's traffic and probes run, split evenly after its starts; default 5s
 * @param traffic          synthetic requests sent during both sides ({@code request: GET /run, rate: 10/s}), or null
 * @param firstUse         requests after each start reported as first-use cost, not judged as steady-state latency; default 1
 * @param failureLimit     gates that may fail before the analysis fails; default 0
 * @param inconclusive     what an inconclusive analysis does: hold (default), proceed or rollback
 * @param latencyTolerance a steady-state latency rise up to this is not a regression, however significant; default 5ms
 * @param startTolerance   the same for time-to-healthy; default 250ms
 * @param memoryToleranceKb the same for resident memory, in kB; default 16384 (a JVM's resident memory moves by megabytes between starts)
 * @param relativeTolerance a rise within this share of the baseline's median is noise too (the larger of the two bounds
 *                         counts); default 20%
 * @param topUpLimit       how much longer than {@code duration} a side may go on sending requests and probes when it still
 *                         holds fewer than the gates' minimum samples and trials (a slow agent answers fewer requests per
 *                         second); default 60s
 */
public record AnalysisSettings(int starts, int probes, Duration duration, SyntheticTraffic traffic, int firstUse, int failureLimit,
                               Inconclusive inconclusive, Duration latencyTolerance, Duration startTolerance, long memoryToleranceKb,
                               double relativeTolerance, Duration topUpLimit) {

    public static final String KEY = "analysis";

    /** What an analysis that cannot decide after its window does. */
    public enum Inconclusive {
        /** The step stays applied but held; the deployment stops as held for a person to decide. */
        HOLD,
        /** The step is accepted as if it had passed; the decision says it was inconclusive. */
        PROCEED,
        /** The step is rolled back like a failed one. */
        ROLLBACK;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final List<String> KNOWN = List.of("starts", "probes", "duration", "traffic", "request", "rate", "first_use",
            "failure_limit", "inconclusive", "latency_tolerance", "start_tolerance", "memory_tolerance_kb", "relative_tolerance", "top_up_limit");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*(s|m))?");

    public static AnalysisSettings defaults() {
        return new AnalysisSettings(5, 30, Duration.ofSeconds(5), null, 1, 0, Inconclusive.HOLD, Duration.ofMillis(5),
                Duration.ofMillis(250), 16384, 0.20, Duration.ofSeconds(60));
    }

    /** The settings of one agent: the levels of settings.yaml's {@code analysis:} section and the agent's entry, merged. */
    public static AnalysisSettings of(Agent agent, Object section, String where) {
        Map<String, Object> merged = new LinkedHashMap<>();
        Map<String, Object> global = mapping(section, where);
        String id = agent.machine() + "/" + agent.name();
        global.forEach((k, v) -> {
            if (!k.equals("agents") && !k.equals("machines")) {
                merged.put(k, v);
            }
        });
        Map<String, Object> machines = mapping(global.get("machines"), where + " analysis.machines");
        merged.putAll(mapping(machines.get(agent.machine()), where + " analysis.machines." + agent.machine()));
        merged.putAll(mapping(agent.config().get(KEY), agent.configFile() + ":" + agent.configLine() + " (" + agent.name() + " config.analysis)"));
        Map<String, Object> agents = mapping(global.get("agents"), where + " analysis.agents");
        merged.putAll(mapping(agents.get(agent.name()), where + " analysis.agents." + agent.name()));
        merged.putAll(mapping(agents.get(id), where + " analysis.agents." + id));
        return from(merged, where + " (analysis of " + id + ")");
    }

    /** Checks every level of settings.yaml's section without an agent: a bad value is refused before anything runs. */
    public static void validate(Object section, String where) {
        Map<String, Object> global = mapping(section, where);
        Map<String, Object> top = new LinkedHashMap<>(global);
        top.remove("agents");
        top.remove("machines");
        from(top, where + " analysis");
        for (String level : List.of("machines", "agents")) {
            mapping(global.get(level), where + " analysis." + level).forEach((name, value) ->
                    from(mapping(value, where + " analysis." + level + "." + name), where + " analysis." + level + "." + name));
        }
    }

    static AnalysisSettings from(Map<String, Object> map, String where) {
        for (String key : map.keySet()) {
            if (!KNOWN.contains(key)) {
                throw invalid(where, "unknown key '%s'; known keys: %s".formatted(key, String.join(", ", KNOWN)));
            }
        }
        AnalysisSettings d = defaults();
        Object trafficValue = map.get("traffic");
        Map<String, Object> traffic = new LinkedHashMap<>();
        if (trafficValue instanceof Map<?, ?> m) {
            m.forEach((k, v) -> traffic.put(String.valueOf(k), v));
        } else if (trafficValue != null && !"off".equals(String.valueOf(trafficValue)) && !Boolean.FALSE.equals(trafficValue)) {
            throw invalid(where, "traffic: '%s' must be a mapping like traffic: {request: GET /run, rate: 10/s} or off".formatted(trafficValue));
        }
        if (map.containsKey("request")) {
            traffic.put("request", map.get("request"));
        }
        if (map.containsKey("rate")) {
            traffic.put("rate", map.get("rate"));
        }
        SyntheticTraffic synthetic = null;
        if (traffic.get("request") != null) {
            synthetic = SyntheticTraffic.parse(String.valueOf(traffic.get("request")), rate(traffic.get("rate"), where), where);
        } else if (traffic.get("rate") != null) {
            throw invalid(where, "rate without request: add request: GET /PATH");
        }
        Inconclusive policy = d.inconclusive;
        if (map.get("inconclusive") != null) {
            String text = String.valueOf(map.get("inconclusive")).strip().toUpperCase(Locale.ROOT);
            try {
                policy = Inconclusive.valueOf(text);
            } catch (IllegalArgumentException e) {
                throw invalid(where, "inconclusive: '%s' is not one of hold, proceed, rollback".formatted(map.get("inconclusive")));
            }
        }
        return new AnalysisSettings(count(map, "starts", d.starts, 1, 50, where), count(map, "probes", d.probes, 0, 1000, where),
                duration(map, "duration", d.duration, where), synthetic, count(map, "first_use", d.firstUse, 0, 100, where),
                count(map, "failure_limit", d.failureLimit, 0, 10, where), policy, duration(map, "latency_tolerance", d.latencyTolerance, where),
                duration(map, "start_tolerance", d.startTolerance, where), count(map, "memory_tolerance_kb", (int) d.memoryToleranceKb, 0,
                Integer.MAX_VALUE, where), percent(map, "relative_tolerance", d.relativeTolerance, where),
                duration(map, "top_up_limit", d.topUpLimit, where));
    }

    /** The settings as evidence shows them. */
    public Map<String, Object> asEvidence() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("starts", starts);
        m.put("probes", probes);
        m.put("duration_ms", duration.toMillis());
        m.put("traffic", traffic == null ? null : traffic.describe());
        m.put("first_use", firstUse);
        m.put("failure_limit", failureLimit);
        m.put("inconclusive", inconclusive.text());
        m.put("latency_tolerance_ms", latencyTolerance.toMillis());
        m.put("start_tolerance_ms", startTolerance.toMillis());
        m.put("memory_tolerance_kb", memoryToleranceKb);
        m.put("relative_tolerance", relativeTolerance);
        m.put("top_up_limit_ms", topUpLimit.toMillis());
        return m;
    }

    /** 20%, 0.2 */
    private static double percent(Map<String, Object> map, String key, double fallback, String where) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        String text = String.valueOf(value).strip();
        try {
            double number = text.endsWith("%") ? Double.parseDouble(text.substring(0, text.length() - 1).strip()) / 100 : Double.parseDouble(text);
            if (number >= 0 && number <= 10) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(where, "%s: '%s' is not a percentage; write it like 20%%".formatted(key, value));
    }

    private static double rate(Object value, String where) {
        if (value == null) {
            return 10;
        }
        Matcher m = RATE.matcher(String.valueOf(value).strip());
        if (!m.matches()) {
            throw invalid(where, "rate: '%s' is not a rate; write it like 10/s or 120/m".formatted(value));
        }
        double n = Double.parseDouble(m.group(1));
        return "m".equals(m.group(2)) ? n / 60 : n;
    }

    private static int count(Map<String, Object> map, String key, int fallback, int min, int max, String where) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= min && n.longValue() <= max) {
            return n.intValue();
        }
        throw invalid(where, "%s: '%s' is not a whole number from %d to %d".formatted(key, value, min, max));
    }

    private static Duration duration(Map<String, Object> map, String key, Duration fallback, String where) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        Matcher m = DURATION.matcher(String.valueOf(value).strip());
        if (!m.matches()) {
            throw invalid(where, "%s: '%s' is not a duration; write it like 500ms, 5s or 2m".formatted(key, value));
        }
        double amount = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> amount;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 1000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    private static Map<String, Object> mapping(Object value, String where) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> raw)) {
            throw invalid(where, "expected a mapping, e.g. analysis: {starts: 5, request: GET /run, rate: 10/s}, not '%s'".formatted(value));
        }
        Map<String, Object> map = new LinkedHashMap<>();
        raw.forEach((k, v) -> map.put(String.valueOf(k), v));
        return map;
    }

    private static FleetshellException invalid(String where, String message) {
        return new FleetshellException(ErrorCode.CONFIG_INVALID, where + ": " + message
                + ". Fix the setting or remove it to use the default; nothing was changed.");
    }
}
