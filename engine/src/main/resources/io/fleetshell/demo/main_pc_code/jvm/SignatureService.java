import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.zip.Deflater;

/**
 * A fleetshell demo agent written in Java: signs payloads with a salted SHA-256 and reports how well
 * they compress against a reference corpus. Its start-up is dominated by work done while its one
 * instance is built: a digest warmed up on 12 MiB and a corpus compressed with a Deflater.
 *
 * <p>Run: {@code java SignatureService.java [--port N] [--health-port N] [--host H]}.
 */
public final class SignatureService {

    private static final String NAME = "SignatureService";

    /** The digest, warmed up so that the first requests are as fast as the later ones. */
    private final MessageDigest digest = warmedUp("SHA-256", 12);

    /** The reference corpus, compressed once; requests report their size against it. */
    private final byte[] compressedCorpus = compress(corpus(1_500_000));

    /** What a payload may contain; read by the constructor, so it stays eager. */
    private final Pattern payload = Pattern.compile("[\\p{Alnum} ,.:;!?_-]{1,256}");

    private final String salt;
    private final int maxPayload;

    SignatureService(String salt) {
        this.salt = salt;
        this.maxPayload = payload.pattern().length() * 16;
    }

    private static MessageDigest warmedUp(String algorithm, int mebibytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < mebibytes; i++) {
                block[i] = (byte) i;
                digest.update(block);
            }
            digest.reset();
            return digest;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }

    private static byte[] corpus(int length) {
        StringBuilder text = new StringBuilder(length);
        long state = 7;
        while (text.length() < length) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            text.append("signal").append((state >>> 40) % 997).append(' ');
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] compress(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(data);
        deflater.finish();
        byte[] buffer = new byte[data.length];
        int length = deflater.deflate(buffer);
        deflater.end();
        return Arrays.copyOf(buffer, length);
    }

    /** {@code /run?x=PAYLOAD}: its salted SHA-256 and the corpus's compressed size. */
    synchronized String run(Map<String, String> params) {
        String text = params.getOrDefault("x", "");
        if (!payload.matcher(text).matches() || text.length() > maxPayload) {
            throw new IllegalArgumentException("x must be 1 to 256 letters, digits, spaces or punctuation");
        }
        byte[] signature = digest.digest((salt + ":" + text).getBytes(StandardCharsets.UTF_8));
        return "{\"agent\": %s, \"algorithm\": %s, \"corpus_compressed_bytes\": %d, \"payload\": %s, \"signature\": %s}"
                .formatted(quote(NAME), quote(digest.getAlgorithm()), compressedCorpus.length, quote(text),
                        quote(HexFormat.of().formatHex(signature)));
    }

    public static void main(String[] args) throws IOException {
        SignatureService service = new SignatureService(env("SIGNATURE_SALT", "fleet"));
        serve(NAME, ports(args, 7241, 8241), service::run);
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
