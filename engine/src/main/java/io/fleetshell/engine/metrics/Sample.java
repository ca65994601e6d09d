package io.fleetshell.engine.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One sample line: its full name (e.g. {@code demo_request_duration_seconds_bucket}), its labels in the
 * order written, its value (NaN and the infinities included) and the timestamp the exposition gave, in
 * milliseconds since the epoch, or null when it gave none.
 */
public record Sample(String name, Map<String, String> labels, double value, Long timestampMillis) {

    public Sample {
        labels = LabelSet.copyOf(labels);
    }

    public String label(String name) {
        return labels.get(name);
    }

    /** The labels without {@code without} (e.g. {@code le}): the series a bucket belongs to. */
    public Map<String, String> labelsWithout(String without) {
        Map<String, String> rest = new LinkedHashMap<>(labels);
        rest.remove(without);
        return rest;
    }
}
