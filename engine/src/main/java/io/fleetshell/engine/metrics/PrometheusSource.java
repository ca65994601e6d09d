package io.fleetshell.engine.metrics;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads agents' current metrics from a Prometheus server instead of their endpoints: one instant query for
 * every series of the targets' {@code instance} labels ({@code host:port} of each {@code /metrics} URL, as
 * Prometheus names a target), with the metric types from {@code /api/v1/metadata}. The answer is the same
 * {@link ScrapeResult} a direct scrape gives, so everything downstream is the same. A target Prometheus
 * does not know, or reports {@code up == 0} for, is that target's failure.
 */
public final class PrometheusSource implements MetricSource {

    /** Labels Prometheus adds to every series; dropped so the series match a direct scrape's. */
    private static final List<String> TARGET_LABELS = List.of("__name__", "instance", "job");

    private final PrometheusApi api;

    public PrometheusSource(PrometheusApi api) {
        this.api = api;
    }

    @Override
    public String describe() {
        return "Prometheus at " + api.base();
    }

    @Override
    public void close() {
        api.close();
    }

    /** The current samples of every target, in the targets' order. */
    @Override
    public List<ScrapeResult> read(List<ScrapeTarget> targets) {
        if (targets.isEmpty()) {
            return List.of();
        }
        Instant at = Instant.now();
        long start = System.nanoTime();
        Map<String, ScrapeTarget> byInstance = new LinkedHashMap<>();
        targets.forEach(t -> byInstance.put(instance(t.uri()), t));
        String promql = "{instance=~\"" + byInstance.keySet().stream().map(PrometheusSource::regexQuote)
                .collect(Collectors.joining("|")) + "\"}";
        List<PrometheusApi.Series> series = api.query(promql, at);
        Map<String, MetricType> types = api.metadata();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        Map<String, List<Sample>> samples = new HashMap<>();
        Map<String, Double> up = new HashMap<>();
        for (PrometheusApi.Series s : series) {
            String instance = s.labels().get("instance");
            String name = s.labels().get("__name__");
            if (instance == null || name == null || s.points().isEmpty()) {
                continue;
            }
            double value = s.points().getFirst().value();
            if (name.equals("up")) {
                up.put(instance, value);
            }
            Map<String, String> labels = new LinkedHashMap<>(s.labels());
            TARGET_LABELS.forEach(labels::remove);
            samples.computeIfAbsent(instance, i -> new ArrayList<>()).add(new Sample(name, labels, value, null));
        }
        List<ScrapeResult> results = new ArrayList<>();
        for (var entry : byInstance.entrySet()) {
            String instance = entry.getKey();
            ScrapeTarget asked = new ScrapeTarget(entry.getValue().agent(),
                    api.base().resolve("api/v1/query?query=" + java.net.URLEncoder.encode("{instance=\"" + instance + "\"}",
                            java.nio.charset.StandardCharsets.UTF_8)));
            List<Sample> own = samples.get(instance);
            if (own == null) {
                results.add(new ScrapeResult.Failed(asked, at, took, ScrapeResult.Failure.UNREACHABLE,
                        "Prometheus at %s has no series for instance %s: add %s to its scrape config".formatted(api.base(), instance, instance)));
            } else if (up.getOrDefault(instance, 1.0) == 0) {
                results.add(new ScrapeResult.Failed(asked, at, took, ScrapeResult.Failure.UNREACHABLE,
                        "Prometheus at %s reports up=0 for instance %s: its last scrape of %s failed".formatted(api.base(), instance,
                                entry.getValue().uri())));
            } else {
                results.add(new ScrapeResult.Scraped(asked, at, took, 0, Exposition.grouped(own, types)));
            }
        }
        return results;
    }

    static String instance(URI uri) {
        return uri.getHost() + ":" + uri.getPort();
    }

    /** Quotes RE2 metacharacters, written for a PromQL double-quoted string (whose backslashes are escapes too). */
    private static String regexQuote(String text) {
        StringBuilder quoted = new StringBuilder();
        for (char c : text.toCharArray()) {
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                quoted.append("\\\\");
            }
            quoted.append(c);
        }
        return quoted.toString();
    }
}
