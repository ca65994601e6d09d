package io.fleetshell.engine.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Quantiles from cumulative histogram buckets, computed exactly as Prometheus' {@code histogram_quantile}
 * does (linear interpolation inside the bucket that holds the rank; the {@code +Inf} bucket answers the
 * highest finite bound), over the requests observed between two scrapes.
 */
public final class Histograms {

    private Histograms() {
    }

    /** One cumulative bucket: observations at most {@code upperBound}. */
    public record Bucket(double upperBound, double count) {
    }

    /**
     * The buckets of histogram {@code family} in {@code exposition}, summed over every series whose labels
     * pass {@code series} (as {@code sum by (le)} does), sorted by bound. Empty when the family is absent.
     */
    public static List<Bucket> buckets(Exposition exposition, String family, Predicate<Map<String, String>> series) {
        TreeMap<Double, Double> byBound = new TreeMap<>();
        for (Sample s : exposition.samples(family + "_bucket")) {
            String le = s.label("le");
            if (le != null && series.test(s.labels())) {
                byBound.merge(bound(le), s.value(), Double::sum);
            }
        }
        List<Bucket> buckets = new ArrayList<>();
        byBound.forEach((bound, count) -> buckets.add(new Bucket(bound, count)));
        return buckets;
    }

    /**
     * What was observed between two scrapes: {@code after} minus {@code before} per bound. A counter that went
     * down was reset (the agent restarted), so {@code after} alone is what it observed since, as Prometheus'
     * {@code rate} assumes; a bound missing before counts from zero.
     */
    public static List<Bucket> delta(List<Bucket> before, List<Bucket> after) {
        Map<Double, Double> old = new TreeMap<>();
        before.forEach(b -> old.put(b.upperBound(), b.count()));
        boolean reset = after.stream().anyMatch(b -> b.count() < old.getOrDefault(b.upperBound(), 0.0));
        if (reset) {
            return after;
        }
        return after.stream().map(b -> new Bucket(b.upperBound(), b.count() - old.getOrDefault(b.upperBound(), 0.0))).toList();
    }

    /**
     * The {@code q}-quantile (0..1) of the observations in {@code buckets}, or NaN when there were none, the
     * {@code +Inf} bucket is missing or fewer than two buckets exist, exactly as Prometheus answers. Counts that
     * decrease with the bound (a scrape that raced an update) are raised to stay monotonic, as Prometheus does.
     */
    public static double quantile(double q, List<Bucket> buckets) {
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        List<Bucket> sorted = new ArrayList<>(buckets);
        sorted.sort(Comparator.comparingDouble(Bucket::upperBound));
        if (sorted.size() < 2 || sorted.getLast().upperBound() != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        double max = 0;
        for (int i = 0; i < sorted.size(); i++) {
            max = Math.max(max, sorted.get(i).count());
            sorted.set(i, new Bucket(sorted.get(i).upperBound(), max));
        }
        double observations = sorted.getLast().count();
        if (observations == 0 || Double.isNaN(observations)) {
            return Double.NaN;
        }
        double rank = q * observations;
        int b = 0;
        while (b < sorted.size() - 1 && sorted.get(b).count() < rank) {
            b++;
        }
        if (b == sorted.size() - 1) {
            return sorted.get(sorted.size() - 2).upperBound();
        }
        if (b == 0 && sorted.getFirst().upperBound() <= 0) {
            return sorted.getFirst().upperBound();
        }
        double start = 0;
        double end = sorted.get(b).upperBound();
        double count = sorted.get(b).count();
        if (b > 0) {
            start = sorted.get(b - 1).upperBound();
            count -= sorted.get(b - 1).count();
            rank -= sorted.get(b - 1).count();
        }
        return start + (end - start) * (rank / count);
    }

    /** The observation count of cumulative buckets (the {@code +Inf} bucket), 0 when there is none. */
    public static double observations(List<Bucket> buckets) {
        return buckets.isEmpty() || buckets.getLast().upperBound() != Double.POSITIVE_INFINITY ? 0 : buckets.getLast().count();
    }

    private static double bound(String le) {
        return switch (le) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(le);
        };
    }
}
