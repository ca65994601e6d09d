package io.fleetshell.engine.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All samples of one agent and what they add up to, and where they were measured. A failed sample is never averaged
 * in: an agent with a failed load has no load statistics, only its error.
 *
 * @param measuredOn the host that ran the loads, as {@code io.fleetshell.engine.host.Host#describe()} says it
 *                   ({@link #THIS_COMPUTER}, or the ssh destination of the agent's machine): timings of one machine
 *                   are not timings of another
 */
public record AgentProfile(ProfileTarget target, List<LoadSample> samples, String measuredOn) {

    /** Where a profile was measured unless it says otherwise, and every profile measured before machines had a transport. */
    public static final String THIS_COMPUTER = "this computer";

    public AgentProfile {
        samples = List.copyOf(samples);
        measuredOn = measuredOn == null ? THIS_COMPUTER : measuredOn;
    }

    /** Measured on this computer. */
    public AgentProfile(ProfileTarget target, List<LoadSample> samples) {
        this(target, samples, THIS_COMPUTER);
    }

    /** Whether the loads ran on this computer. */
    public boolean measuredHere() {
        return THIS_COMPUTER.equals(measuredOn);
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

    /**
     * The median cost of one of the agent's import statements across the successful samples: its wall
     * time and RSS growth as the probe measured them around the statement, and the {@code -X importtime}
     * self and cumulative time of the modules it imported.
     */
    public record StatementMedian(int line, String module, double millis, double rssKb,
                                  double importTimeCumulativeMillis, double importTimeSelfMillis) {
    }

    /** The agent's import statements as they ran, in source order, each the median over the successful samples. */
    public List<StatementMedian> statements() {
        Map<Integer, String> modules = new java.util.TreeMap<>();
        Map<Integer, List<double[]>> perLine = new java.util.TreeMap<>();
        for (LoadSample sample : ok()) {
            // a statement that runs twice (in a loop) adds up within one sample
            Map<Integer, double[]> sums = new LinkedHashMap<>();
            for (LoadSample.StatementCost cost : sample.statements()) {
                double[] sum = sums.computeIfAbsent(cost.line(), l -> new double[4]);
                sum[0] += cost.millis();
                sum[1] += cost.rssKb();
                modules.putIfAbsent(cost.line(), cost.module());
            }
            ImportTree.byStatement(sample).forEach((line, roots) -> {
                double[] sum = sums.get(line);
                for (ImportTree.Node root : roots) {
                    sum[2] += root.cumulativeMicros(); // whole microseconds: exact sums, converted once
                    sum[3] += root.selfMicros();
                }
            });
            sums.forEach((line, sum) -> perLine.computeIfAbsent(line, l -> new ArrayList<>()).add(sum));
        }
        return perLine.entrySet().stream()
                .map(e -> new StatementMedian(e.getKey(), modules.get(e.getKey()), median(e.getValue(), 0),
                        median(e.getValue(), 1), median(e.getValue(), 2) / 1000.0, median(e.getValue(), 3) / 1000.0))
                .toList();
    }

    private static double median(List<double[]> sums, int index) {
        return Stats.of(sums.stream().map(sum -> sum[index]).toList()).median();
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
