import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

/**
 * A fleetshell demo agent written in Java: routes request paths to services through 2,000 compiled
 * route patterns and a table of service shards. Its start-up is dominated by compiling the routes and
 * building the shard table while the class initializes.
 *
 * <p>Run: {@code java RouteMatcherAgent.java [--port N] [--health-port N] [--host H]}.
 */
public final class RouteMatcherAgent {

    private static final String NAME = "RouteMatcherAgent";

    /** What LOG_LEVEL may be; main checks it before serving, so it stays eager. */
    private static final Pattern LOG_LEVEL = Pattern.compile("DEBUG|INFO|WARNING|ERROR");

    /** Every route, compiled once, in priority order. */
    private static final Map<String, Pattern> ROUTES = compileRoutes(2_000);

    /** Which shard each of 200,000 tenants lives on (a checksum of its name). */
    private static final int[] SHARDS = shardTable(200_000);

    /** A checksum of the route table, computed in a static block: a block cannot be held lazily. */
    private static final long TABLE_CHECKSUM;

    static {
        CRC32 crc = new CRC32();
        for (int i = 0; i < 64; i++) {
            crc.update(("route-" + i).getBytes(StandardCharsets.UTF_8));
        }
        TABLE_CHECKSUM = crc.getValue();
    }

    private RouteMatcherAgent() {
    }

    private static Map<String, Pattern> compileRoutes(int count) {
        Map<String, Pattern> routes = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            routes.put("service-" + i, Pattern.compile("/api/v" + (i % 3 + 1) + "/(tenant|team)-(\\d{1,6})/res" + i + "(/[a-z]+)*"));
        }
        routes.put("fallback", Pattern.compile("/.*"));
        return routes;
    }

    private static int[] shardTable(int tenants) {
        int[] shards = new int[tenants];
        CRC32 crc = new CRC32();
        for (int i = 0; i < tenants; i++) {
            crc.reset();
            crc.update(("tenant-" + i).getBytes(StandardCharsets.UTF_8));
            shards[i] = (int) (crc.getValue() % 16);
        }
        return shards;
    }

    /** {@code /run?x=PATH}: the service that serves PATH, and the tenant's shard. */
    static String run(Map<String, String> params) {
        String path = params.getOrDefault("x", "");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("x must be a path starting with /");
        }
        for (Map.Entry<String, Pattern> route : ROUTES.entrySet()) {
            Matcher matcher = route.getValue().matcher(path);
            if (matcher.matches()) {
                int tenant = matcher.groupCount() >= 2 && matcher.group(2) != null ? Integer.parseInt(matcher.group(2)) : -1;
                String shard = tenant >= 0 && tenant < SHARDS.length ? String.valueOf(SHARDS[tenant]) : "null";
                return "{\"agent\": %s, \"path\": %s, \"routes\": %d, \"service\": %s, \"shard\": %s, \"table_checksum\": %d}"
                        .formatted(quote(NAME), quote(path), ROUTES.size(), quote(route.getKey()), shard, TABLE_CHECKSUM);
            }
        }
        throw new IllegalArgumentException("no route for " + path);
    }

    public static void main(String[] args) throws IOException {
        String level = env("LOG_LEVEL", "INFO");
        if (!LOG_LEVEL.matcher(level).matches()) {
            System.err.println(NAME + ": LOG_LEVEL is " + level + "; use DEBUG, INFO, WARNING or ERROR");
            System.exit(2);
        }
        serve(NAME, ports(args, 7105, 8105), RouteMatcherAgent::run);
    }

    // ---- serving: the same endpoints, metrics and command line as the Python agents of the demo ----

    /** Ports from --port/--health-port, else $PORT/$HEALTH_PORT, else the defaults plus $PORT_OFFSET. */
    private static int[] ports(String[] args, int defaultPort, int defaultHealthPort) {
        int offset = Integer.parseInt(env("PORT_OFFSET", "0"));
        int port = Integer.parseInt(env("PORT", String.valueOf(defaultPort + offset)));
        int health = Integer.parseInt(env("HEALTH_PORT", String.valueOf(defaultHealthPort + offset)));
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--health-port" -> health = Integer.parseInt(args[i + 1]);
                case "--host" -> host = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --port, --health-port, --host");
            }
        }
        return new int[] {port, health};
    }

    private static String host = "127.0.0.1";

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static void serve(String name, int[] ports, Function<Map<String, String>, String> run) throws IOException {
        long started = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(System.currentTimeMillis());
        Metrics metrics = new Metrics(name);
        HttpServer service;
        HttpServer health;
        try {
            service = HttpServer.create(new InetSocketAddress(host, ports[0]), 64);
            health = HttpServer.create(new InetSocketAddress(host, ports[1]), 64);
        } catch (IOException e) {
            System.err.println(name + ": cannot listen on " + host + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        ExecutorService workers = Executors.newFixedThreadPool(4);
        service.setExecutor(workers);
        health.setExecutor(workers);
        service.createContext("/", exchange -> metrics.answer(exchange, exchange.getRequestURI().getPath(), () -> {
            if (!exchange.getRequestURI().getPath().equals("/run")) {
                return new Answer(404, "application/json", "{\"error\": \"not found\", \"agent\": \"" + name + "\"}");
            }
            try {
                return new Answer(200, "application/json", run.apply(query(exchange.getRequestURI().getRawQuery())));
            } catch (IllegalArgumentException e) {
                return new Answer(400, "application/json", "{\"agent\": \"" + name + "\", \"error\": \"" + e.getMessage().replace("\"", "'") + "\"}");
            }
        }));
        health.createContext("/", exchange -> metrics.answer(exchange, exchange.getRequestURI().getPath(), () -> switch (exchange.getRequestURI().getPath()) {
            case "/health" -> new Answer(200, "application/json", String.format(Locale.ROOT,
                    "{\"agent\": \"%s\", \"health_port\": %d, \"java\": \"%s\", \"pid\": %d, \"port\": %d, \"status\": \"ok\", \"uptime_seconds\": %.3f}",
                    name, ports[1], Runtime.version(), ProcessHandle.current().pid(), ports[0], (System.currentTimeMillis() - started) / 1000.0));
            case "/metrics" -> new Answer(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(started));
            default -> new Answer(404, "application/json", "{\"error\": \"not found\", \"agent\": \"" + name + "\"}");
        }));
        service.start();
        health.start();
        metrics.startupSeconds = (System.currentTimeMillis() - started) / 1000.0;
        CountDownLatch stop = new CountDownLatch(1);
        for (String signal : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.countDown());
        }
        System.out.printf(Locale.ROOT, "%s ready service=%s:%d health=%s:%d pid=%d startup=%.3fs%n",
                name, host, ports[0], host, ports[1], ProcessHandle.current().pid(), metrics.startupSeconds);
        System.out.flush();
        while (stop.getCount() > 0) {
            try {
                stop.await();
            } catch (InterruptedException e) {
                // keep serving until a signal arrives
            }
        }
        service.stop(1);
        health.stop(1);
        workers.shutdown();
        System.out.println(name + " stopped");
        System.exit(0);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new TreeMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                params.putIfAbsent(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private record Answer(int status, String type, String body) {
    }

    /** Request counts and a latency histogram per path, in Prometheus text format 0.0.4. */
    private static final class Metrics {
        private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0};
        private final String agent;
        private final Map<String, long[]> counts = new TreeMap<>();
        private final Map<String, Double> sums = new TreeMap<>();
        private volatile double startupSeconds;

        Metrics(String agent) {
            this.agent = agent;
            for (String path : List.of("/run", "/health", "/metrics", "other")) {
                counts.put(path, new long[BUCKETS.length + 1]);
                sums.put(path, 0.0);
            }
        }

        void answer(HttpExchange exchange, String path, Supplier<Answer> handler) throws IOException {
            long begin = System.nanoTime();
            String label = counts.containsKey(path) ? path : "other";
            try {
                Answer answer = handler.get();
                byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", answer.type());
                exchange.sendResponseHeaders(answer.status(), body.length);
                exchange.getResponseBody().write(body);
            } finally {
                exchange.close();
                observe(label, (System.nanoTime() - begin) / 1e9);
            }
        }

        synchronized void observe(String path, double seconds) {
            long[] buckets = counts.get(path);
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    buckets[i]++;
                }
            }
            buckets[BUCKETS.length]++;
            sums.merge(path, seconds, Double::sum);
        }

        synchronized String render(long started) {
            StringBuilder out = new StringBuilder();
            out.append("# HELP demo_requests_total Total HTTP requests served by the agent, by path.\n# TYPE demo_requests_total counter\n");
            counts.forEach((path, b) -> out.append("demo_requests_total{agent=\"%s\",path=\"%s\"} %d\n".formatted(agent, path, b[BUCKETS.length])));
            out.append("# HELP demo_request_duration_seconds Time spent answering HTTP requests, by path.\n# TYPE demo_request_duration_seconds histogram\n");
            counts.forEach((path, b) -> {
                for (int i = 0; i < BUCKETS.length; i++) {
                    out.append("demo_request_duration_seconds_bucket{agent=\"%s\",path=\"%s\",le=\"%s\"} %d\n".formatted(agent, path, BUCKETS[i], b[i]));
                }
                out.append("demo_request_duration_seconds_bucket{agent=\"%s\",path=\"%s\",le=\"+Inf\"} %d\n".formatted(agent, path, b[BUCKETS.length]));
                out.append(String.format(Locale.ROOT, "demo_request_duration_seconds_sum{agent=\"%s\",path=\"%s\"} %.6f%n", agent, path, sums.get(path)));
                out.append("demo_request_duration_seconds_count{agent=\"%s\",path=\"%s\"} %d\n".formatted(agent, path, b[BUCKETS.length]));
            });
            out.append("# HELP demo_agent_info Constant 1, labelled with the agent and its runtime.\n# TYPE demo_agent_info gauge\n");
            out.append("demo_agent_info{agent=\"%s\",java=\"%s\"} 1\n".formatted(agent, Runtime.version()));
            out.append("# HELP demo_startup_seconds Seconds from process start until both ports were listening.\n# TYPE demo_startup_seconds gauge\n");
            out.append(String.format(Locale.ROOT, "demo_startup_seconds{agent=\"%s\"} %.3f%n", agent, startupSeconds));
            out.append("# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\n");
            out.append(String.format(Locale.ROOT, "process_start_time_seconds %.2f%n", started / 1000.0));
            out.append("# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\n");
            out.append("process_resident_memory_bytes %d\n".formatted(residentBytes()));
            return out.toString();
        }

        private static long residentBytes() {
            try {
                String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
                return Long.parseLong(statm[1]) * 4096;
            } catch (IOException | RuntimeException e) {
                return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            }
        }
    }
}
