package io.fleetshell.shell;

import io.fleetshell.engine.demo.DemoFleet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        int port = freePort();
        int health = freePort();
        Process p = spawn(List.of("python3", demo.resolve(script).toString(), "--port", String.valueOf(port),
                "--health-port", String.valueOf(health)));
        awaitLine(p, name + " ready");
        return new Running(name, p, port, health);
    }

    /** A Python HTTP server answering every GET with {@code status}, {@code contentType} and {@code body}. */
    public Running endpoint(String name, int status, String contentType, String body) {
        int health = freePort();
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
        Process p = spawn(List.of("python3", "-c", code, String.valueOf(health), String.valueOf(status), contentType, body));
        awaitLine(p, "ready");
        return new Running(name, p, 0, health);
    }

    /** GET on an agent's service port, as traffic. */
    public static int get(Running agent, String pathAndQuery) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + pathAndQuery)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    private static void awaitLine(Process p, String prefix) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        try {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("the process ended before printing '" + prefix + "'");
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
