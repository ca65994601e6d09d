package io.fleetshell.engine.profile;

import java.util.Arrays;
import java.util.List;

/** Median and spread (min and max) of a set of samples. */
public record Stats(int n, double median, double min, double max) {

    public static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        double median = sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Stats(sorted.length, median, sorted[0], sorted[sorted.length - 1]);
    }
}
