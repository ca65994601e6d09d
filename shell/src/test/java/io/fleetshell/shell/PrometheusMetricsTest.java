package io.fleetshell.shell;

import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The PromQL path: a real Prometheus scraping real demo agents, and a target that dies during the test. */
class PrometheusMetricsTest {

    @TempDir
    Path home;
    @TempDir
    Path fleetDir;
    @TempDir
    Path promDir;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void metricsComeFromPrometheusWhenTheFleetNamesOne() throws Exception {
        try (LiveAgents live = new LiveAgents(fleetDir)) {
            LiveAgents.Running tutor = live.start("TutorAgent", "main_pc_code/agents/tutor_agent.py");
            LiveAgents.Running twin = live.start("SystemDigitalTwin", "main_pc_code/agents/system_digital_twin.py");
            int unknown = Ports.free();
            Path config = new TestFleet(fleetDir).write("runtime/config/startup_config.yaml", """
                    agent_groups:
                      g:
                        TutorAgent: {script_path: main_pc_code/agents/tutor_agent.py, port: %d, health_check_port: %d}
                        SystemDigitalTwin: {script_path: main_pc_code/agents/system_digital_twin.py, port: %d, health_check_port: %d}
                        NotInPrometheus: {script_path: main_pc_code/agents/service_registry.py, health_check_port: %d}
                    """.formatted(tutor.port(), tutor.healthPort(), twin.port(), twin.healthPort(), unknown));
            for (int i = 0; i < 4; i++) {
                LiveAgents.get(tutor, "/run?x=arithmetic&answer=5+41");
            }
            try (RealPrometheus prometheus = new RealPrometheus(promDir, List.of("127.0.0.1:" + tutor.healthPort(),
                    "127.0.0.1:" + twin.healthPort()))) {
                Files.writeString(home.resolve("settings.yaml"), "prometheus_url: " + prometheus.url() + "\n");
                ShellHarness shell = new ShellHarness(home);
                assertThat(shell.oneShot("inventory", "load", config.toString(), "--machine", "mainpc", "--root", fleetDir.toString())
                        .status()).isZero();
                // Both targets scraped at least twice, so rate() and the range query have points.
                prometheus.awaitBody("api/v1/query?query=count(count_over_time(up%5B1m%5D)%20%3E%3D%202)",
                        body -> body.contains("\"2\""), Duration.ofSeconds(60));

                ShellHarness.Run scrape = shell.oneShot("metrics", "scrape", "--json");
                assertThat(scrape.err()).contains("Reading 3 targets from Prometheus at " + prometheus.url(),
                        "1 of 3 targets failed");
                JsonNode scrapes = json.readTree(scrape.out()).get("scrapes");
                JsonNode tutorScrape = byAgent(scrapes, "TutorAgent");
                assertThat(tutorScrape.get("status").asString()).as(scrape.out()).isEqualTo("ok");
                assertThat(tutorScrape.get("source").asString()).isEqualTo("prometheus");
                assertThat(tutorScrape.get("url").asString()).startsWith(prometheus.url() + "api/v1/query?query=");
                assertThat(byAgent(scrapes, "SystemDigitalTwin").get("status").asString()).isEqualTo("ok");
                assertThat(byAgent(scrapes, "NotInPrometheus").get("error").asString())
                        .contains("has no series for instance 127.0.0.1:" + unknown);

                ShellHarness.Run show = shell.oneShot("metrics", "show", "TutorAgent");
                assertThat(show.out()).contains("from Prometheus")
                        .containsPattern("demo_requests_total\\{agent=\"TutorAgent\",path=\"/run\"\\}\\s+counter\\s+4")
                        .containsPattern("demo_request_duration_seconds_bucket\\{.*le=\"\\+Inf\".*\\}\\s+histogram");

                ShellHarness.Run instant = shell.oneShot("metrics", "query", "--json", "sum by (agent) (demo_requests_total{path=\"/run\"})");
                assertThat(instant.status()).as(instant.err()).isZero();
                JsonNode result = json.readTree(instant.out()).get("result");
                assertThat(result).hasSize(2);
                assertThat(result.get(0).propertyNames()).containsExactly("labels", "points");
                JsonNode point = result.get(0).get("points").get(0);
                assertThat(point.isArray() && point.size() == 2 && point.get(0).isString() && point.get(1).isNumber()).as(point.toString()).isTrue();
                ShellHarness.Run range = shell.oneShot("metrics", "query", "up", "--range", "1m", "--step", "1s");
                assertThat(range.out()).containsPattern("up\\{instance=\"127.0.0.1:" + tutor.healthPort() + "\",job=\"fleet\"\\}\\s+\\d+\\s+1\\s+1");
                ShellHarness.Run bad = shell.oneShot("metrics", "query", "sum(");
                assertThat(bad.status()).isEqualTo(1);
                assertThat(bad.err()).contains("refused the query sum(: bad_data");

                twin.process().destroy(); // the agent dies: Prometheus' next scrape fails, and so does ours
                prometheus.awaitBody("api/v1/query?query=up%3D%3D0", body -> body.contains(String.valueOf(twin.healthPort())),
                        Duration.ofSeconds(60));
                ShellHarness.Run after = shell.oneShot("metrics", "scrape", "SystemDigitalTwin");
                assertThat(after.status()).isEqualTo(1);
                assertThat(after.out()).contains("reports up=0 for instance 127.0.0.1:" + twin.healthPort());
            }
        }
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
