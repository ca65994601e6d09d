package io.fleetshell.shell;

import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** metrics scrape|show against real demo agents, a garbage endpoint, a 500 and a port nothing listens on. */
class MetricsCommandsTest {

    @TempDir
    Path home;
    @TempDir
    Path fleetDir;

    private final JsonMapper json = JsonMapper.builder().build();
    private LiveAgents live;
    private LiveAgents.Running tutor;
    private ShellHarness shell;

    @BeforeEach
    void startFleet() {
        live = new LiveAgents(fleetDir);
        tutor = live.start("TutorAgent", "main_pc_code/agents/tutor_agent.py");
        LiveAgents.Running registry = live.start("ServiceRegistry", "main_pc_code/agents/service_registry.py");
        LiveAgents.Running garbage = live.endpoint("Garbage", 200, "text/html", "<html><body>It works!</body></html>");
        LiveAgents.Running failing = live.endpoint("Failing", 500, "text/plain", "boom");
        int nobody = Ports.free();
        Path config = new TestFleet(fleetDir).write("runtime/config/startup_config.yaml", """
                agent_groups:
                  g:
                    TutorAgent: {script_path: main_pc_code/agents/tutor_agent.py, port: %d, health_check_port: %d}
                    ServiceRegistry: {script_path: main_pc_code/agents/service_registry.py, port: %d, health_check_port: %d}
                    GarbageAgent: {script_path: main_pc_code/agents/memory_orchestrator.py, health_check_port: %d}
                    FailingAgent: {script_path: main_pc_code/agents/system_digital_twin.py, health_check_port: %d}
                    DownAgent: {script_path: main_pc_code/agents/model_manager_agent.py, health_check_port: %d}
                    QuietAgent: {script_path: main_pc_code/agents/observability_hub.py}
                """.formatted(tutor.port(), tutor.healthPort(), registry.port(), registry.healthPort(), garbage.healthPort(),
                failing.healthPort(), nobody));
        shell = new ShellHarness(home);
        ShellHarness.Run load = shell.oneShot("inventory", "load", config.toString(), "--machine", "mainpc", "--root", fleetDir.toString());
        assertThat(load.status()).as(load.err()).isZero();
    }

    @AfterEach
    void stopFleet() throws InterruptedException {
        live.close();
    }

    @Test
    void aGarbageEndpointIsThatTargetsErrorWhileTheRestAreStored() {
        ShellHarness.Run scrape = shell.oneShot("metrics", "scrape", "--json", "--timeout", "3s");
        assertThat(scrape.status()).as(scrape.err()).isEqualTo(1);
        assertThat(scrape.err()).contains("mainpc/QuietAgent: no metrics to read, its config gives no health_check_port",
                "3 of 5 targets failed (stored with their errors); the other 2 were stored.");
        JsonNode scrapes = json.readTree(scrape.out()).get("scrapes");
        assertThat(scrapes.get(0).propertyNames()).containsExactly("id", "agent", "at", "source", "url", "status", "error", "took_ms",
                "bytes", "samples");
        assertThat(scrapes).hasSize(5);
        assertThat(byAgent(scrapes, "TutorAgent").get("status").asString()).isEqualTo("ok");
        assertThat(byAgent(scrapes, "TutorAgent").get("samples").asInt()).isGreaterThan(40);
        assertThat(byAgent(scrapes, "ServiceRegistry").get("status").asString()).isEqualTo("ok");
        assertThat(byAgent(scrapes, "GarbageAgent").get("status").asString()).isEqualTo("malformed");
        assertThat(byAgent(scrapes, "GarbageAgent").get("error").asString())
                .contains("is not valid Prometheus text format: line 1, column 1: expected a metric name, found '<'");
        assertThat(byAgent(scrapes, "FailingAgent").get("error").asString()).contains("HTTP 500");
        assertThat(byAgent(scrapes, "DownAgent").get("error").asString()).contains("connection refused");

        ShellHarness.Run table = shell.oneShot("metrics", "scrape", "TutorAgent", "GarbageAgent");
        assertThat(table.status()).isEqualTo(1);
        assertThat(table.out()).containsPattern("mainpc\\s+TutorAgent\\s+ok\\s+\\d+").containsPattern("GarbageAgent\\s+malformed");
    }

    @Test
    void showCountsTheRequestsBetweenScrapesAndTracesEveryValueToItsScrape() {
        assertThat(shell.oneShot("metrics", "scrape", "TutorAgent").status()).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(LiveAgents.get(tutor, "/run?x=arithmetic&answer=5+41")).isEqualTo(200);
        }
        ShellHarness.Run second = shell.oneShot("metrics", "scrape", "TutorAgent", "--json");
        long lastScrape = json.readTree(second.out()).get("scrapes").get(0).get("id").asLong();

        ShellHarness.Run show = shell.oneShot("metrics", "show", "TutorAgent", "--json");
        assertThat(show.status()).as(show.err()).isZero();
        JsonNode m = json.readTree(show.out());
        assertThat(m.get("scrapes").get("total").asInt()).isEqualTo(2);
        JsonNode requests = m.get("requests");
        assertThat(requests.get("requests").asDouble()).as("scrapes of /metrics are not traffic").isEqualTo(5);
        assertThat(requests.get("p95_ms").asDouble()).isPositive();
        assertThat(requests.get("to_scrape").asLong()).isEqualTo(lastScrape);
        assertThat(m.get("latest").toString()).contains("demo_startup_seconds");
        assertThat(m.propertyNames()).containsExactly("agent", "window", "scrapes", "last_scrape", "last_failure", "requests", "intervals",
                "latest");
        assertThat(m.get("window").propertyNames()).containsExactly("from", "to");
        assertThat(m.get("scrapes").propertyNames()).containsExactly("total", "failed");
        assertThat(m.get("last_failure").isNull()).isTrue();
        assertThat(requests.propertyNames()).containsExactly("from_scrape", "to_scrape", "from", "to", "requests", "errors_5xx", "p50_ms",
                "p95_ms");
        assertThat(m.get("intervals").get(0).propertyNames()).isEqualTo(requests.propertyNames());
        assertThat(m.get("latest").get(0).propertyNames()).containsExactly("name", "labels", "value", "scrape");

        JsonNode stored = json.readTree(shell.oneShot("metrics", "show", "TutorAgent", "--metric", "demo_startup_seconds", "--json").out());
        assertThat(stored.propertyNames()).containsExactly("agent", "query_ms", "series");
        assertThat(stored.get("series").get(0).propertyNames()).containsExactly("name", "labels", "points");
        assertThat(stored.get("series").get(0).get("points").get(0).propertyNames()).containsExactly("at", "value", "scrape");
        JsonNode full = json.readTree(shell.oneShot("metrics", "show", "TutorAgent", "--scrape", String.valueOf(lastScrape), "--json").out());
        assertThat(full.propertyNames()).containsExactly("id", "agent", "at", "source", "url", "status", "error", "took_ms", "bytes",
                "samples", "values");
        assertThat(full.get("values").get(0).propertyNames()).containsExactly("family", "type", "name", "labels", "value");

        ShellHarness.Run text = shell.oneShot("metrics", "show", "TutorAgent");
        assertThat(text.out()).contains("mainpc/TutorAgent: 2 scrapes in the last 1h (0 failed)", "p95 ",
                        "demo_requests_total{agent=\"TutorAgent\",path=\"/run\"}")
                .containsPattern("requests from scrape #\\d+ \\(.*\\) to #" + lastScrape + " \\(.*\\): 5, p50 [\\d.]+ ms");

        ShellHarness.Run points = shell.oneShot("metrics", "show", "TutorAgent", "--metric", "demo_startup_seconds");
        assertThat(points.out()).containsPattern("demo_startup_seconds\\{agent=\"TutorAgent\"\\}\\s+\\S+\\s+[\\d.]+\\s+#" + lastScrape);

        ShellHarness.Run one = shell.oneShot("metrics", "show", "TutorAgent", "--scrape", String.valueOf(lastScrape));
        assertThat(one.out()).contains("scrape #" + lastScrape + " of mainpc/TutorAgent at ", ": ok, ")
                .containsPattern("demo_requests_total\\{agent=\"TutorAgent\",path=\"/run\"\\}\\s+counter\\s+5");
        assertThat(shell.oneShot("metrics", "show", "ServiceRegistry", "--scrape", String.valueOf(lastScrape)).err())
                .contains("mainpc/ServiceRegistry has no scrape #" + lastScrape);
        assertThat(shell.oneShot("metrics", "show", "ServiceRegistry").err()).contains("has no scrapes in the last 1h; run metrics scrape");
        assertThat(shell.oneShot("metrics", "show", "TutorAgent", "--window", "soon").err())
                .contains("--window soon is not a duration; write it like 500ms, 2s, 10m, 1h or 1d");
        assertThat(shell.oneShot("metrics", "query", "up").err()).contains("no Prometheus server is configured; add prometheus_url");
    }

    @Test
    void watchOncePrintsOneFrameWithRealFiguresAndTheBrokenTargetsAsAlerts() {
        assertThat(shell.oneShot("metrics", "scrape", "TutorAgent").status()).isZero();
        for (int i = 0; i < 3; i++) {
            LiveAgents.get(tutor, "/run?x=arithmetic&answer=5+41");
        }
        ShellHarness.Run frame = shell.oneShot("watch", "--once", "--interval", "500ms");
        assertThat(frame.status()).as(frame.err()).isZero();
        assertThat(frame.err()).contains("4 agents had no scrape in the last hour; scraping them first, 500ms before the frame");
        assertThat(frame.out()).contains("agents 5   healthy 2/5 (40.0%)", "active alerts: 3", "GarbageAgent: http://127.0.0.1:")
                .containsPattern("mainpc\\s+TutorAgent\\s+up\\s+-\\s+[\\d.]+ ms\\s+\\S+\\s+no baseline\\s+3\\s+-")
                .containsPattern("GarbageAgent\\s+error").containsPattern("DownAgent\\s+DOWN");

        ShellHarness.Run json = shell.oneShot("watch", "TutorAgent", "--once", "--json");
        JsonNode frameJson = this.json.readTree(json.out());
        assertThat(frameJson.propertyNames()).containsExactly("at", "source", "took_ms", "cpu_ms", "agents", "up", "health_percent",
                "improved", "regressed", "thresholds", "rows");
        JsonNode rows = frameJson.get("rows");
        assertThat(rows.get(0).propertyNames()).containsExactly("agent", "status", "time_to_healthy_s", "p95_ms", "p95_history_ms",
                "requests", "error_rate", "change", "alerts");
        assertThat(rows.get(0).get("p95_ms").isNull()).as("no requests in the last interval: no p95").isTrue();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("status").asString()).isEqualTo("up");
        assertThat(rows.get(0).get("requests").asDouble()).as("no traffic since the last cycle").isZero();
        assertThat(shell.oneShot("watch", "--json").err()).contains("--json needs --once");
    }

    @Test
    void watchJudgesLatencyAgainstTheRuntimeBaselineAndSaysWhenSamplesAreMissing() throws Exception {
        // Six recorded scrapes a minute apart, 10 more requests between each, as the runtime baseline's window.
        StringBuilder recorded = new StringBuilder("# TYPE demo_request_duration_seconds histogram\n");
        long now = System.currentTimeMillis();
        for (int k = 0; k < 6; k++) {
            long at = now - (6 - k) * 60_000L;
            recorded.append("demo_request_duration_seconds_bucket{path=\"/run\",le=\"0.01\"} %d %d\n".formatted(5 * k, at))
                    .append("demo_request_duration_seconds_bucket{path=\"/run\",le=\"0.1\"} %d %d\n".formatted(10 * k, at))
                    .append("demo_request_duration_seconds_bucket{path=\"/run\",le=\"+Inf\"} %d %d\n".formatted(10 * k, at));
        }
        Path file = fleetDir.resolve("recorded.prom");
        java.nio.file.Files.writeString(file, recorded);
        ShellHarness.Run imported = shell.oneShot("metrics", "import", "TutorAgent", file.toString(), "--json");
        assertThat(imported.status()).as(imported.err()).isZero();
        assertThat(json.readTree(imported.out()).get("scrapes").asInt()).isEqualTo(6);
        assertThat(json.readTree(imported.out()).propertyNames()).containsExactly("agent", "scrapes", "samples", "first_scrape",
                "last_scrape", "parse_ms", "store_ms");
        ShellHarness.Run capture = shell.oneShot("baseline", "capture", "TutorAgent", "--window", "10m");
        assertThat(capture.status()).as(capture.err()).isZero();

        ShellHarness.Run frame = shell.oneShot("watch", "TutorAgent", "--once", "--json");
        assertThat(frame.status()).as(frame.err()).isZero();
        JsonNode change = json.readTree(frame.out()).get("rows").get(0).get("change");
        assertThat(change.propertyNames()).containsExactly("percent", "verdict", "basis", "p", "significant");
        assertThat(change.get("verdict").asString()).isEqualTo("unknown");
        assertThat(change.get("p").isNull()).as("no rank test without samples").isTrue();
        assertThat(change.get("significant").asBoolean()).isFalse();
        assertThat(change.get("basis").asString()).startsWith("v1: fewer than");
        assertThat(shell.oneShot("watch", "TutorAgent", "--once").out()).containsPattern("TutorAgent\\s+up.*need samples");
    }

    private static JsonNode byAgent(JsonNode scrapes, String name) {
        for (JsonNode s : scrapes) {
            if (s.get("agent").asString().endsWith("/" + name)) {
                return s;
            }
        }
        throw new AssertionError("no scrape of " + name + " in " + scrapes);
    }
}
