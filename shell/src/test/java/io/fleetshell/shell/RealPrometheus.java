package io.fleetshell.shell;

import io.fleetshell.testing.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, which {@code .ci/run} installs) started on a
 * free loopback port with a generated config that scrapes the given targets every second. Fails, never
 * skips, when the binary is missing.
 */
public final class RealPrometheus implements AutoCloseable {

    private final Process process;
    private final URI url;
    private final Path log;

    public RealPrometheus(Path dir, List<String> targets) throws IOException {
        String binary = binary();
        int port = Ports.free();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 900ms
                scrape_configs:
                  - job_name: fleet
                    static_configs:
                      - targets: [%s]
                """.formatted(targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "))));
        log = dir.resolve("prometheus.log");
        process = new ProcessBuilder(binary, "--config.file=" + config, "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.enable-lifecycle")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        url = URI.create("http://127.0.0.1:" + port + "/");
        awaitBody("-/ready", body -> true, Duration.ofSeconds(60));
    }

    /** The path of the prometheus binary; an AssertionError saying how to install it when there is none. */
    static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "prometheus");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError("prometheus is not installed; these tests need Debian's package: apt-get install -y prometheus"
                + " (.ci/run installs it)");
    }

    public URI url() {
        return url;
    }

    /** Waits until a GET of {@code path} answers 200 with a body {@code ready} accepts. */
    public String awaitBody(String path, Predicate<String> ready, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "";
        try (HttpClient client = HttpClient.newHttpClient()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new AssertionError("prometheus exited: " + Files.readString(log));
                }
                try {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    last = r.statusCode() + " " + r.body();
                    if (r.statusCode() == 200 && ready.test(r.body())) {
                        return r.body();
                    }
                } catch (IOException notYet) {
                    last = notYet.toString();
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("prometheus at " + url + path + " not ready within " + within + "; last answer: " + last);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
