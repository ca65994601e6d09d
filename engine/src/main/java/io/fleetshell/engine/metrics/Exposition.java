package io.fleetshell.engine.metrics;

import java.util.List;
import java.util.Optional;

/** One parsed {@code /metrics} answer: its format and its metric families in the order written. */
public record Exposition(ExpositionFormat format, List<MetricFamily> families) {

    public Exposition {
        families = List.copyOf(families);
    }

    public Optional<MetricFamily> family(String name) {
        return families.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** Every sample whose full name is {@code sampleName}, across families. */
    public List<Sample> samples(String sampleName) {
        return families.stream().flatMap(f -> f.samples().stream()).filter(s -> s.name().equals(sampleName)).toList();
    }

    public int sampleCount() {
        return families.stream().mapToInt(f -> f.samples().size()).sum();
    }
}
