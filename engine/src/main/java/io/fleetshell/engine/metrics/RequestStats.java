package io.fleetshell.engine.metrics;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an agent served between two scrapes: requests, server errors and latency quantiles. Latency comes from
 * the agent's request-duration histogram (the first histogram whose name ends in {@code request_duration_seconds},
 * else the first histogram), p50 and p95 as {@code histogram_quantile} over the bucket deltas. Errors come from
 * counters ending in {@code requests_total} whose {@code code} or {@code status} label is 5xx; an agent whose
 * counters carry no such label has no error figure (NaN), rather than a made-up zero. Requests to the
 * monitoring endpoints themselves ({@code path}, {@code handler} or {@code endpoint} label {@code /metrics} or
 * {@code /health}) are left out: scraping must not count as traffic.
 *
 * @param requests   requests observed by the histogram between the scrapes
 * @param errors     5xx answers between the scrapes, NaN when the agent does not label its counters with a status
 * @param p50Seconds median latency, NaN without requests
 * @param p95Seconds 95th percentile latency, NaN without requests
 */
public record RequestStats(double requests, double errors, double p50Seconds, double p95Seconds) {

    /** Endpoints whose requests are monitoring, not traffic. */
    public static final Set<String> MONITORING_PATHS = Set.of("/metrics", "/health");
    private static final List<String> PATH_LABELS = List.of("path", "handler", "endpoint");
    private static final List<String> STATUS_LABELS = List.of("code", "status");

    /** The share of requests that failed with 5xx, NaN when unknown or without requests. */
    public double errorRate() {
        return requests > 0 ? errors / requests : Double.NaN;
    }

    /** The stats between two scrapes of the same agent (a counter reset counts from zero). */
    public static RequestStats between(Exposition before, Exposition after) {
        Optional<String> family = latencyFamily(after);
        double requests = 0;
        double p50 = Double.NaN;
        double p95 = Double.NaN;
        if (family.isPresent()) {
            List<Histograms.Bucket> delta = Histograms.delta(Histograms.buckets(before, family.get(), RequestStats::isTraffic),
                    Histograms.buckets(after, family.get(), RequestStats::isTraffic));
            requests = Histograms.observations(delta);
            p50 = Histograms.quantile(0.5, delta);
            p95 = Histograms.quantile(0.95, delta);
        }
        double errorsAfter = errors(after);
        double errorsBefore = errors(before);
        double errors = errorsAfter - (Double.isNaN(errorsBefore) ? 0 : errorsBefore); // a series new since: counted from 0
        return new RequestStats(requests, errors < 0 ? errorsAfter : errors, p50, p95); // below zero: a restart reset the counter
    }

    /** The family {@link #between} reads latency from. */
    public static Optional<String> latencyFamily(Exposition exposition) {
        List<MetricFamily> histograms = exposition.families().stream().filter(f -> f.type() == MetricType.HISTOGRAM).toList();
        return histograms.stream().filter(f -> f.name().endsWith("request_duration_seconds")).findFirst()
                .or(() -> histograms.stream().findFirst())
                .map(MetricFamily::name);
    }

    private static double errors(Exposition exposition) {
        double errors = 0;
        boolean labelled = false;
        for (MetricFamily f : exposition.families()) {
            if (f.type() != MetricType.COUNTER || !f.name().endsWith("requests_total") && !f.name().endsWith("requests")) {
                continue;
            }
            for (Sample s : f.samples()) {
                for (String label : STATUS_LABELS) {
                    String status = s.label(label);
                    if (status != null && isTraffic(s.labels())) {
                        labelled = true;
                        if (status.startsWith("5")) {
                            errors += s.value();
                        }
                    }
                }
            }
        }
        return labelled ? errors : Double.NaN;
    }

    static boolean isTraffic(Map<String, String> labels) {
        for (String label : PATH_LABELS) {
            String path = labels.get(label);
            if (path != null && MONITORING_PATHS.contains(path)) { // Set.of rejects contains(null)
                return false;
            }
        }
        return true;
    }
}
