package io.fleetshell.engine.compare;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.stats.MannWhitney;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numbers every comparison and health check is held to, from {@code thresholds:} in
 * {@code FLEETSHELL_HOME/settings.yaml}; each key is optional and defaults to what fleets use today.
 * Changes are relative to the baseline and positive when the agent got better (faster, fewer errors,
 * less memory): {@code +40%} is the target improvement, {@code -5%} the regression alert.
 *
 * @param targetImprovement  improvement a rewrite aims for ({@code target_improvement}, default 40%)
 * @param minimumImprovement improvement below which a rewrite is not worth it ({@code minimum_improvement}, 20%)
 * @param regressionAlert    a change at or below this is a regression when significant ({@code regression_alert}, -5%)
 * @param healthMinimum      health score below which {@code health} exits 1 ({@code health_minimum}, 95%)
 * @param alpha              significance level of the tests ({@code significance}, 0.05)
 * @param minimumSamples     samples per side before a latency, start-time or memory comparison is made
 *                           ({@code minimum_samples}, 5, and never below what the rank test needs to reach alpha)
 * @param minimumTrials      requests or probes per side before an error-rate comparison is made ({@code minimum_trials}, 30)
 * @param baselineLookback   without a captured baseline, the samples this long before the change are the baseline
 *                           ({@code baseline_lookback}, 24h)
 * @param maxResponseTime    slowest acceptable answer, for {@code health} ({@code max_response_time}, 5s)
 * @param maxErrorRate       highest acceptable error rate, for {@code health} ({@code max_error_rate}, 5%)
 * @param minHealthyAgents   share of agents that must answer, for {@code health} ({@code min_healthy_agents}, 90%)
 * @param clockTolerance     largest clock difference to an agent, for {@code health} ({@code clock_tolerance}, 2s)
 */
public record Thresholds(double targetImprovement, double minimumImprovement, double regressionAlert, double healthMinimum,
                         double alpha, int minimumSamples, int minimumTrials, Duration baselineLookback,
                         Duration maxResponseTime, double maxErrorRate, double minHealthyAgents, Duration clockTolerance) {

    public static final String KEY = "thresholds";
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");

    public static Thresholds defaults() {
        return new Thresholds(0.40, 0.20, -0.05, 0.95, 0.05, 5, 30, Duration.ofHours(24), Duration.ofSeconds(5), 0.05, 0.90,
                Duration.ofSeconds(2));
    }

    public Thresholds {
        minimumSamples = Math.max(minimumSamples, MannWhitney.minimumPerSide(alpha));
    }

    /** Reads the {@code thresholds:} mapping of the settings file; {@code null} gives the defaults. */
    public static Thresholds from(Object section, Path file) {
        Thresholds d = defaults();
        if (section == null) {
            return d;
        }
        if (!(section instanceof Map<?, ?> raw)) {
            throw invalid(file, "thresholds must be a mapping, e.g. thresholds: {regression_alert: -5%}");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        raw.forEach((k, v) -> map.put(String.valueOf(k), v));
        for (String key : map.keySet()) {
            if (!KNOWN.contains(key)) {
                throw invalid(file, "thresholds: unknown key '%s'; known keys: %s".formatted(key, String.join(", ", KNOWN)));
            }
        }
        return new Thresholds(
                fraction(map, "target_improvement", d.targetImprovement, file),
                fraction(map, "minimum_improvement", d.minimumImprovement, file),
                fraction(map, "regression_alert", d.regressionAlert, file),
                fraction(map, "health_minimum", d.healthMinimum, file),
                fraction(map, "significance", d.alpha, file),
                whole(map, "minimum_samples", d.minimumSamples, file),
                whole(map, "minimum_trials", d.minimumTrials, file),
                duration(map, "baseline_lookback", d.baselineLookback, file),
                duration(map, "max_response_time", d.maxResponseTime, file),
                fraction(map, "max_error_rate", d.maxErrorRate, file),
                fraction(map, "min_healthy_agents", d.minHealthyAgents, file),
                duration(map, "clock_tolerance", d.clockTolerance, file));
    }

    private static final List<String> KNOWN = List.of("target_improvement", "minimum_improvement", "regression_alert",
            "health_minimum", "significance", "minimum_samples", "minimum_trials", "baseline_lookback", "max_response_time",
            "max_error_rate", "min_healthy_agents", "clock_tolerance");

    /** The thresholds as evidence shows them. */
    public Map<String, Object> asEvidence() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target_improvement", percent(targetImprovement));
        m.put("minimum_improvement", percent(minimumImprovement));
        m.put("regression_alert", percent(regressionAlert));
        m.put("significance", alpha);
        m.put("minimum_samples", minimumSamples);
        return m;
    }

    public static String percent(double fraction) {
        return "%+.1f%%".formatted(fraction * 100);
    }

    /** 40%, -5%, 0.4 and -0.05 all work; a bare number above 1 is read as a percentage. */
    private static double fraction(Map<String, Object> map, String key, double fallback, Path file) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        String text = String.valueOf(value).trim();
        try {
            if (text.endsWith("%")) {
                return Double.parseDouble(text.substring(0, text.length() - 1).trim()) / 100;
            }
            double number = Double.parseDouble(text);
            return Math.abs(number) > 1 ? number / 100 : number;
        } catch (NumberFormatException e) {
            throw invalid(file, "thresholds.%s: '%s' is not a percentage; write it like 40%% or 0.4".formatted(key, text));
        }
    }

    private static int whole(Map<String, Object> map, String key, int fallback, Path file) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.intValue() >= 1) {
            return n.intValue();
        }
        throw invalid(file, "thresholds.%s: '%s' is not a whole number of 1 or more".formatted(key, value));
    }

    private static Duration duration(Map<String, Object> map, String key, Duration fallback, Path file) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        Matcher m = DURATION.matcher(String.valueOf(value).trim());
        if (!m.matches()) {
            throw invalid(file, "thresholds.%s: '%s' is not a duration; write it like 500ms, 5s, 10m, 24h or 7d".formatted(key, value));
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1000;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 86_400_000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    private static FleetshellException invalid(Path file, String message) {
        return new FleetshellException(ErrorCode.CONFIG_INVALID, file + ": " + message
                + ". Fix the file or remove the key to use the default.");
    }
}
