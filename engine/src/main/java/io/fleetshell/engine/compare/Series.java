package io.fleetshell.engine.compare;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Raw samples of one measure in one window, each with the id of the row it came from so that a decision
 * can name them.
 *
 * @param table  the history-db table the ids are rows of
 * @param ids    row ids, in the order of {@code values}
 * @param values the measured values (milliseconds, kB, ...)
 */
public record Series(Window window, String table, List<Long> ids, double[] values) {

    public Series {
        ids = List.copyOf(ids);
        values = values.clone();
        if (ids.size() != values.length) {
            throw new IllegalArgumentException("one id per value");
        }
    }

    public int size() {
        return values.length;
    }

    /** The q-quantile (0..1) by linear interpolation between order statistics; NaN when empty. */
    public double quantile(double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double position = q * (sorted.length - 1);
        int lower = (int) Math.floor(position);
        int upper = (int) Math.ceil(position);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    public Map<String, Object> asEvidence() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window", window.asEvidence());
        m.put("n", values.length);
        m.put("p50", values.length == 0 ? null : quantile(0.5));
        m.put("p95", values.length == 0 ? null : quantile(0.95));
        m.put("table", table);
        m.put("sample_ids", ids);
        m.put("values", Arrays.stream(values).boxed().toList());
        return m;
    }
}
