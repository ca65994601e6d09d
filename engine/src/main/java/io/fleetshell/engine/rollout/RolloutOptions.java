package io.fleetshell.engine.rollout;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a plan is executed.
 *
 * @param batches        how agents are split into batches
 * @param interval       the wait between two batches
 * @param maxFailPercent the share of a batch's agents that may fail before the batch gate stops the rollout
 * @param onFail         what a failed batch gate does
 */
public record RolloutOptions(BatchSpec batches, Duration interval, double maxFailPercent, OnFail onFail) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    public RolloutOptions {
        if (interval.isNegative()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--interval cannot be negative");
        }
        if (maxFailPercent < 0 || maxFailPercent > 100) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--max-fail must be between 0 and 100 (percent of a batch)");
        }
    }

    /** The options as stored with the deployment, so that a resumed deployment runs with the same ones. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("batch_size", batches.text());
        map.put("interval_ms", interval.toMillis());
        map.put("max_fail_percent", maxFailPercent);
        map.put("on_fail", onFail.text());
        return map;
    }

    public static RolloutOptions fromMap(Map<String, Object> map) {
        return new RolloutOptions(BatchSpec.parse(String.valueOf(map.get("batch_size"))),
                Duration.ofMillis(((Number) map.get("interval_ms")).longValue()),
                ((Number) map.get("max_fail_percent")).doubleValue(), OnFail.parse(String.valueOf(map.get("on_fail"))));
    }

    /** Parses {@code 30s}, {@code 2m}, {@code 1m30s}, {@code 500ms} or a bare number of seconds. */
    public static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase();
        try {
            if (t.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            if (t.matches("\\d+ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.matches("(\\d+h)?(\\d+m)?(\\d+s)?") && !t.isEmpty()) {
                return Duration.parse("PT" + t.toUpperCase());
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new FleetshellException(ErrorCode.BAD_INPUT, "'" + text + "' is not a duration: write 30s, 2m, 1m30s or 500ms");
    }

    /** Parses {@code 20}, {@code 20%}. */
    public static double parsePercent(String text) {
        String t = text.strip();
        if (t.endsWith("%")) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--max-fail '" + text + "' is not a percentage: write 0, 20 or 20%");
        }
    }
}
