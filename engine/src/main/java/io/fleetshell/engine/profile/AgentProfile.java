package io.fleetshell.engine.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All samples of one agent and what they add up to. A failed sample is never averaged in: an agent
 * with a failed load has no load statistics, only its error.
 */
public record AgentProfile(ProfileTarget target, List<LoadSample> samples) {

    public AgentProfile {
        samples = List.copyOf(samples);
    }

    /** The median cost of one direct import of the agent, across the successful samples. */
    public record ImportCost(String module, double selfMillis, double cumulativeMillis) {
    }

    public boolean loaded() {
        return !samples.isEmpty() && samples.stream().allMatch(LoadSample::ok);
    }

    public Optional<LoadSample.LoadError> failure() {
        return samples.stream().filter(s -> !s.ok()).map(LoadSample::error).findFirst();
    }

    public Stats loadMillis() {
        return Stats.of(ok().stream().map(LoadSample::loadMillis).toList());
    }

    public Stats peakRssKb() {
        return Stats.of(ok().stream().map(s -> (double) s.peakRssKb()).toList());
    }

    public Stats modulesLoaded() {
        return Stats.of(ok().stream().map(s -> (double) s.modulesLoaded()).toList());
    }

    public String python() {
        return samples.isEmpty() ? null : samples.getFirst().python();
    }

    /** The agent's direct imports, costliest first, each the median over the successful samples. */
    public List<ImportCost> directImports() {
        Map<String, List<ImportTiming>> byModule = new LinkedHashMap<>();
        for (LoadSample sample : ok()) {
            for (ImportTiming timing : sample.directImports()) {
                byModule.computeIfAbsent(timing.module(), m -> new ArrayList<>()).add(timing);
            }
        }
        return byModule.entrySet().stream()
                .map(e -> new ImportCost(e.getKey(),
                        Stats.of(e.getValue().stream().map(t -> t.selfMicros() / 1000.0).toList()).median(),
                        Stats.of(e.getValue().stream().map(t -> t.cumulativeMicros() / 1000.0).toList()).median()))
                .sorted(Comparator.comparingDouble(ImportCost::cumulativeMillis).reversed().thenComparing(ImportCost::module))
                .toList();
    }

    private List<LoadSample> ok() {
        return samples.stream().filter(LoadSample::ok).toList();
    }
}
