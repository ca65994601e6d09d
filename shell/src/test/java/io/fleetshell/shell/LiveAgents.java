package io.fleetshell.shell;

import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Ports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real demo agents (and misbehaving endpoints) for runtime tests: the demo fleet copied to a directory, agents
 * started as Python processes on free loopback ports, all stopped on close.
 */
public final class LiveAgents implements AutoCloseable {

    /** A started process and the ports it serves. */
    public record Running(String name, Process process, int port, int healthPort) {
        public String metricsUrl() {
            return "http://127.0.0.1:" + healthPort + "/metrics";
        }
    }

    /** A demo agent prints its ready line within a second on a quiet machine; 60 s allows for a loaded one. */
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private final Path demo;
    private final List<Process> processes = new ArrayList<>();

    public LiveAgents(Path dir) {
        new DemoFleet().install(dir, false);
        this.demo = dir;
    }

    public Path demo() {
        return demo;
    }

    /** Starts the demo agent at {@code script} (relative to the demo root) and waits for its ready line. */
    public Running start(String name, String script) {
        return withFreePorts(name, () -> {
            int port = Ports.free();
            int health = Ports.free();
            Process p = spawn(List.of("python3", demo.resolve(script).toString(), "--port", String.valueOf(port),
                    "--health-port", String.valueOf(health)));
            return new Running(name, p, port, health);
        }, name + " ready");
    }

    /** A Python HTTP server answering every GET with {@code status}, {@code contentType} and {@code body}. */
    public Running endpoint(String name, int status, String contentType, String body) {
        String code = """
                import http.server, sys
                body = sys.argv[4].encode()
                class H(http.server.BaseHTTPRequestHandler):
                    def do_GET(self):
                        self.send_response(int(sys.argv[2])); self.send_header("Content-Type", sys.argv[3])
                        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
                    def log_message(self, *a): pass
                s = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
                print("ready", flush=True)
                s.serve_forever()
                """;
        return withFreePorts(name, () -> {
            int health = Ports.free();
            Process p = spawn(List.of("python3", "-c", code, String.valueOf(health), String.valueOf(status), contentType, body));
            return new Running(name, p, 0, health);
        }, "ready");
    }

    /**
     * Starts a process on ports {@link Ports} handed out and waits for its ready line. A port is free when handed
     * out, but another process on the machine may still bind it first: then the start is tried again on new ports
     * (at most 3 times), saying so on stderr.
     */
    private Running withFreePorts(String name, java.util.function.Supplier<Running> spawn, String readyLine) {
        for (int attempt = 1; ; attempt++) {
            Running running = spawn.get();
            try {
                Await.line(running.process(), readyLine, READY_WITHIN);
                return running;
            } catch (AssertionError e) {
                running.process().destroyForcibly();
                if (attempt == 3 || e.getMessage() == null || !e.getMessage().contains("Address already in use")) {
                    throw e;
                }
                System.err.printf("LiveAgents: %s found port %d or %d taken by another process; trying new ports%n",
                        name, running.port(), running.healthPort());
            }
        }
    }

    /** GET on an agent's service port, as traffic. */
    public static int get(Running agent, String pathAndQuery) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + pathAndQuery))
                            .timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Process spawn(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
