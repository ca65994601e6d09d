package io.fleetshell.engine.metrics;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client for a Prometheus server's HTTP query API: instant queries ({@code /api/v1/query}) and range
 * queries ({@code /api/v1/query_range}) in PromQL. This is how a fleet too large to scrape from one shell
 * is read: its Prometheus already scrapes every agent. Every failure (unreachable, timeout, an HTTP error,
 * a PromQL error Prometheus reports, an answer that is not the API's JSON) is a {@link FleetshellException}
 * with {@link ErrorCode#OPERATION_FAILED} naming the server and the query.
 */
public final class PrometheusApi implements AutoCloseable {

    /** One series of a result: its labels ({@code __name__} included when Prometheus keeps it) and its points. */
    public record Series(Map<String, String> labels, List<Point> points) {
        public Series {
            labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
            points = List.copyOf(points);
        }
    }

    /** One value at one time. */
    public record Point(Instant at, double value) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final Duration timeout;
    private final HttpClient client;

    public PrometheusApi(URI base, Duration timeout) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    public URI base() {
        return base;
    }

    /** {@code promql} evaluated at {@code at}: a vector gives one point per series, a scalar one unlabelled series. */
    public List<Series> query(String promql, Instant at) {
        return result(get("api/v1/query", Map.of("query", promql, "time", seconds(at)), promql));
    }

    /** {@code promql} evaluated every {@code step} from {@code start} to {@code end}: a matrix. */
    public List<Series> queryRange(String promql, Instant start, Instant end, Duration step) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("query", promql);
        parameters.put("start", seconds(start));
        parameters.put("end", seconds(end));
        parameters.put("step", "%.3f".formatted(step.toMillis() / 1000.0));
        return result(get("api/v1/query_range", parameters, promql));
    }

    /** The type of every metric family Prometheus has metadata for ({@code /api/v1/metadata}). */
    public Map<String, MetricType> metadata() {
        JsonNode data = get("api/v1/metadata", Map.of(), "(metadata)");
        Map<String, MetricType> types = new LinkedHashMap<>();
        data.properties().forEach(e -> {
            String type = e.getValue().path(0).path("type").asString("unknown");
            types.put(e.getKey(), MetricType.named(type, ExpositionFormat.OPENMETRICS).orElse(MetricType.UNTYPED));
        });
        return types;
    }

    private JsonNode get(String path, Map<String, String> parameters, String promql) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((k, v) -> query.append(query.isEmpty() ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        URI uri = base.resolve(query.isEmpty() ? path : path + "?" + query);
        HttpResponse<String> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw failed("cannot reach Prometheus at %s (%s). Is it running? The fleet's prometheus_url says where it is."
                    .formatted(base, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("interrupted while querying Prometheus at " + base, e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (JacksonException e) {
            throw failed("Prometheus at %s answered HTTP %d with something that is not its API's JSON (query %s): %s"
                    .formatted(base, response.statusCode(), promql, abbreviate(response.body())), e);
        }
        if (!"success".equals(body.path("status").asString(""))) {
            throw failed("Prometheus at %s refused the query %s: %s: %s".formatted(base, promql,
                    body.path("errorType").asString("HTTP " + response.statusCode()), body.path("error").asString(abbreviate(response.body()))), null);
        }
        return body.path("data");
    }

    private List<Series> result(JsonNode data) {
        String type = data.path("resultType").asString("");
        JsonNode result = data.path("result");
        List<Series> series = new ArrayList<>();
        switch (type) {
            case "vector" -> result.forEach(s -> series.add(new Series(labels(s.path("metric")), List.of(point(s.path("value"))))));
            case "matrix" -> result.forEach(s -> {
                List<Point> points = new ArrayList<>();
                s.path("values").forEach(v -> points.add(point(v)));
                series.add(new Series(labels(s.path("metric")), points));
            });
            case "scalar" -> series.add(new Series(Map.of(), List.of(point(result))));
            default -> throw failed("Prometheus at %s answered a result of type '%s'; fleetshell reads vectors, matrices and scalars"
                    .formatted(base, type), null);
        }
        return series;
    }

    private static Map<String, String> labels(JsonNode metric) {
        Map<String, String> labels = new LinkedHashMap<>();
        metric.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
        return labels;
    }

    private static Point point(JsonNode pair) {
        double seconds = pair.path(0).asDouble();
        String value = pair.path(1).asString("NaN");
        double v = switch (value) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(value);
        };
        return new Point(Instant.ofEpochMilli(Math.round(seconds * 1000)), v);
    }

    private static String seconds(Instant at) {
        return "%d.%03d".formatted(at.getEpochSecond(), at.getNano() / 1_000_000);
    }

    private static String abbreviate(String body) {
        String oneLine = body.replaceAll("\\s+", " ").strip();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }

    private static FleetshellException failed(String message, Throwable cause) {
        return new FleetshellException(ErrorCode.OPERATION_FAILED, message, cause);
    }

    @Override
    public void close() {
        client.close();
    }
}
