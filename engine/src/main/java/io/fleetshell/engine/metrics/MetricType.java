package io.fleetshell.engine.metrics;

import java.util.Locale;
import java.util.Optional;

/** The type a {@code # TYPE} line declares; a metric without one is {@link #UNTYPED}. */
public enum MetricType {
    COUNTER, GAUGE, HISTOGRAM, SUMMARY, UNTYPED,
    /** OpenMetrics only. */
    GAUGEHISTOGRAM,
    /** OpenMetrics only. */
    STATESET,
    /** OpenMetrics only. */
    INFO;

    /** The type named in a TYPE line of the given format ({@code unknown} in OpenMetrics is untyped). */
    static Optional<MetricType> named(String word, ExpositionFormat format) {
        String w = word.toLowerCase(Locale.ROOT);
        if (!w.equals(word)) {
            return Optional.empty();
        }
        return switch (w) {
            case "counter" -> Optional.of(COUNTER);
            case "gauge" -> Optional.of(GAUGE);
            case "histogram" -> Optional.of(HISTOGRAM);
            case "summary" -> Optional.of(SUMMARY);
            case "untyped" -> format == ExpositionFormat.TEXT ? Optional.of(UNTYPED) : Optional.empty();
            case "unknown" -> format == ExpositionFormat.OPENMETRICS ? Optional.of(UNTYPED) : Optional.empty();
            case "gaugehistogram" -> format == ExpositionFormat.OPENMETRICS ? Optional.of(GAUGEHISTOGRAM) : Optional.empty();
            case "stateset" -> format == ExpositionFormat.OPENMETRICS ? Optional.of(STATESET) : Optional.empty();
            case "info" -> format == ExpositionFormat.OPENMETRICS ? Optional.of(INFO) : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** The sample-name suffixes that belong to a family of this type in the given format. */
    java.util.List<String> suffixes(ExpositionFormat format) {
        boolean om = format == ExpositionFormat.OPENMETRICS;
        return switch (this) {
            case COUNTER -> om ? java.util.List.of("_total", "_created") : java.util.List.of();
            case HISTOGRAM -> om ? java.util.List.of("_bucket", "_count", "_sum", "_created") : java.util.List.of("_bucket", "_count", "_sum");
            case GAUGEHISTOGRAM -> java.util.List.of("_bucket", "_gcount", "_gsum");
            case SUMMARY -> om ? java.util.List.of("_count", "_sum", "_created") : java.util.List.of("_count", "_sum");
            case INFO -> java.util.List.of("_info");
            default -> java.util.List.of();
        };
    }
}
