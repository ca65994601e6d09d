package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The health probe against real endpoints in Python processes: healthy, 500, hanging, garbage, dying mid-answer, gone. */
class HealthProbeTest {

    private static final AgentId AGENT = new AgentId("m1", "Misbehaving");

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final HealthProbe probe = new HealthProbe();

    @AfterEach
    void stopEndpoints() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void aHealthyAnswerCarriesTheAgentNameAndTheClockSkew() throws IOException {
        ProbeResult result = probe.probe(http(endpoint("ok"), Duration.ofSeconds(3)));
        assertThat(result.outcome()).isEqualTo(ProbeResult.Outcome.HEALTHY);
        assertThat(result.statusCode()).isEqualTo(200);
        assertThat(result.reportedAgent()).isEqualTo("Misbehaving");
        // Same host, so the only skew is the Date header's whole-second resolution.
        assertThat(result.clockSkewMillis()).isBetween(-1500L, 500L);
        assertThat(result.millis()).isPositive();
    }

    @Test
    void aServerErrorIsUnhealthyWithTheBody() throws IOException {
        ProbeResult result = probe.probe(http(endpoint("error"), Duration.ofSeconds(3)));
        assertThat(result.outcome()).isEqualTo(ProbeResult.Outcome.BAD_STATUS);
        assertThat(result.statusCode()).isEqualTo(500);
        assertThat(result.detail()).endsWith("answered HTTP 500: database locked");
    }

    @Test
    void aHangingEndpointTimesOutOnTime() throws IOException {
        ProbeTarget target = http(endpoint("hang"), Duration.ofMillis(400));
        long start = System.nanoTime();
        ProbeResult result = probe.probe(target);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(result.outcome()).isEqualTo(ProbeResult.Outcome.TIMEOUT);
        assertThat(result.detail()).contains("no answer from GET http://127.0.0.1:", "within 400 ms");
        // Without the timeout the probe would wait for ever; any finite bound shows the cut, 10 s allows for a loaded machine.
        assertThat(tookMillis).isBetween(390L, 10_000L);
    }

    @Test
    void garbageAndAnAnswerCutOffByADyingProcessAreNotHealthy() throws IOException, InterruptedException {
        ProbeResult garbage = probe.probe(http(endpoint("garbage"), Duration.ofSeconds(3)));
        assertThat(garbage.outcome()).isEqualTo(ProbeResult.Outcome.BAD_STATUS);
        assertThat(garbage.detail()).contains("not an HTTP answer", "SSH-2.0-not-http");

        int port = endpoint("die");
        ProbeResult died = probe.probe(http(port, Duration.ofSeconds(3)));
        assertThat(died.outcome()).isEqualTo(ProbeResult.Outcome.BAD_STATUS);
        assertThat(died.detail()).contains("the answer broke off after 'HTTP/1.0 200 OK Content-Ty'");
        assertThat(processes.getLast().waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        ProbeResult gone = probe.probe(http(port, Duration.ofSeconds(3)));
        assertThat(gone.outcome()).isEqualTo(ProbeResult.Outcome.UNREACHABLE);
        assertThat(gone.detail()).contains("Connection refused");
    }

    /** Issue 17: "FAIL answers its health check: ... HTTP 200 in 133 ms" for 393 KB of headers; one verdict, the real reason. */
    @Test
    void headersLargerThanAnyHealthAnswerNeedsAreTheReasonItFails() throws IOException {
        ProbeResult result = probe.probe(http(endpoint("hugeheaders"), Duration.ofSeconds(10)));
        assertThat(result.outcome()).isEqualTo(ProbeResult.Outcome.BAD_STATUS);
        assertThat(result.oneLine()).contains("HTTP 200, but its headers go on past 64 KB, more than any health answer needs")
                .doesNotStartWith("HTTP 200 in");
    }

    @Test
    void tcpProbesOnlyNeedTheConnection() throws IOException {
        int hanging = endpoint("hang");
        ProbeTarget tcp = new ProbeTarget(AGENT, ProbeTarget.Kind.TCP, "127.0.0.1", hanging, "/health", Duration.ofSeconds(1));
        assertThat(probe.probe(tcp).healthy()).isTrue();
        int free = Ports.free();
        ProbeResult refused = probe.probe(new ProbeTarget(AGENT, ProbeTarget.Kind.TCP, "127.0.0.1", free, "/", Duration.ofSeconds(1)));
        assertThat(refused.outcome()).isEqualTo(ProbeResult.Outcome.UNREACHABLE);
        assertThat(refused.oneLine()).startsWith("tcp 127.0.0.1:" + free);
    }

    private static ProbeTarget http(int port, Duration timeout) {
        return new ProbeTarget(AGENT, ProbeTarget.Kind.HTTP, "127.0.0.1", port, "/health", timeout);
    }

    /** Starts the endpoint in MODE and returns its port. */
    private int endpoint(String mode) throws IOException {
        Path script = dir.resolve("misbehaving_endpoint.py");
        if (!Files.exists(script)) {
            try (InputStream in = getClass().getResourceAsStream("misbehaving_endpoint.py")) {
                Files.write(script, in.readAllBytes());
            }
        }
        Process process = new ProcessBuilder("python3", script.toString(), mode).redirectErrorStream(true).start();
        processes.add(process);
        String line = Await.line(process, "port ", Duration.ofSeconds(60));
        return Integer.parseInt(line.substring(5).trim());
    }
}
