package io.fleetshell.engine.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        List<Sample> found = new ArrayList<>();
        for (MetricFamily f : families) { // loops, not a stream: watch asks this several times per agent per cycle
            for (Sample s : f.samples()) {
                if (s.name().equals(sampleName)) {
                    found.add(s);
                }
            }
        }
        return Collections.unmodifiableList(found);
    }

    /**
     * Samples read from elsewhere (a Prometheus query) grouped into families the way the parser groups them:
     * by the declared {@code types} of family names and the suffixes each type owns; other samples are untyped
     * families of their own.
     */
    public static Exposition grouped(List<Sample> samples, Map<String, MetricType> types) {
        Map<String, MetricType> known = new LinkedHashMap<>();
        Map<String, List<Sample>> byFamily = new LinkedHashMap<>();
        for (Sample s : samples) {
            String family = s.name();
            MetricType type = types.getOrDefault(family, MetricType.UNTYPED);
            for (var declared : types.entrySet()) {
                String base = declared.getKey();
                if (s.name().length() > base.length() && s.name().startsWith(base)
                        && declared.getValue().suffixes(ExpositionFormat.OPENMETRICS).contains(s.name().substring(base.length()))) {
                    family = base;
                    type = declared.getValue();
                    break;
                }
            }
            known.putIfAbsent(family, type);
            byFamily.computeIfAbsent(family, f -> new ArrayList<>()).add(s);
        }
        List<MetricFamily> families = new ArrayList<>();
        known.forEach((name, type) -> families.add(new MetricFamily(name, type, "", "", byFamily.get(name))));
        return new Exposition(ExpositionFormat.TEXT, families);
    }

    public int sampleCount() {
        return families.stream().mapToInt(f -> f.samples().size()).sum();
    }
}
