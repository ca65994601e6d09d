package io.fleetshell.engine.metrics;

import java.util.List;

/**
 * A metric family: the name its TYPE line (or its only sample) gives, its type, its HELP text and
 * OpenMetrics UNIT (empty when absent), and its samples in the order written.
 */
public record MetricFamily(String name, MetricType type, String help, String unit, List<Sample> samples) {

    public MetricFamily {
        samples = List.copyOf(samples);
    }
}
