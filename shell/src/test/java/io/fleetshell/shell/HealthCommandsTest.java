package io.fleetshell.shell;

import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * health, baseline capture and baseline compare on real processes: two demo agents, a quick test agent for
 * time-to-healthy samples, and an agent whose /metrics serves garbage.
 */
class HealthCommandsTest {

    @TempDir
    Path home;
    @TempDir
    Path fleet;

    private final JsonMapper json = JsonMapper.builder().build();
    private ShellHarness shell;

    @BeforeEach
    void loadFleet() throws IOException {
        RuntimeTestFleet.install(fleet);
        Path config = fleet.resolve("health_test.yaml");
        Files.writeString(config, """
                global_settings:
                  environment: {PYTHONUNBUFFERED: "1"}
                  health_checks: {timeout_seconds: 2}
                agent_groups:
                  demo:
                    TranslationService: {script_path: pc2_code/agents/translation_service.py, port: %d, health_check_port: %d, required: true}
                    UnifiedWebAgent: {script_path: pc2_code/agents/unified_web_agent.py, port: %d, health_check_port: %d, required: true}
                  test:
                    QuickAgent: {script_path: test_ok.py, health_check_port: %d}
                    BadMetricsAgent: {script_path: test_badmetrics.py, health_check_port: %d}
                """.formatted(Ports.free(), Ports.free(), Ports.free(),
                Ports.free(), Ports.free(), Ports.free()));
        // Four samples per side is the least with which a one-sided rank test can reach p < 0.05.
        Files.createDirectories(home);
        Files.writeString(home.resolve("settings.yaml"), "thresholds: {minimum_samples: 4, minimum_trials: 10}\n");
        shell = new ShellHarness(home);
        assertThat(shell.oneShot("inventory", "load", config.toString(), "--machine", "m1").status()).isZero();
    }

    @AfterEach
    void killLeftovers() throws IOException {
        RuntimeTestFleet.killLeftovers(home);
    }

    @Test
    void healthScoresEightCategoriesOnRealAgentsAndAStoppedAgentLowersIt() {
        ShellHarness.Run start = shell.oneShot("agents", "start");
        assertThat(start.status()).as(start.err()).isZero();

        ShellHarness.Run first = shell.oneShot("health", "--json");
        JsonNode report = json.readTree(first.out());
        assertThat(report.get("categories")).hasSize(8);
        assertThat(report.propertyNames()).containsExactly("at", "score", "minimum", "healthy", "categories", "critical_issues");
        assertThat(report.get("categories").get(0).propertyNames()).containsExactly("name", "score", "passed", "failed", "skipped", "checks");
        assertThat(report.get("categories").get(0).get("checks").get(0).propertyNames()).containsExactly("name", "status", "evidence",
                "recommendation", "critical", "data");
        assertThat(report.get("categories")).anySatisfy(c -> assertThat(c.get("score").isNull()).as("a category of skipped checks").isTrue());
        assertThat(report.get("categories").get(0).get("name").asString()).isEqualTo("metrics infrastructure");
        // The garbage /metrics is that target's failure, named with its line; the other three targets carry on.
        JsonNode metrics = category(report, "metrics infrastructure");
        assertThat(metrics.get("passed").asInt()).isEqualTo(3);
        assertThat(metrics.get("failed").asInt()).isEqualTo(1);
        JsonNode bad = failed(metrics);
        assertThat(bad.get("name").asString()).startsWith("m1/BadMetricsAgent metrics readable");
        assertThat(bad.get("evidence").asString()).contains("line 2").containsPattern("scrape #\\d+");
        assertThat(category(report, "agent discovery and connectivity").get("score").asDouble()).isEqualTo(100.0);
        assertThat(category(report, "cross-machine coordination").get("failed").asInt()).isZero();
        // Six scored categories (nothing optimized, no runtime baseline yet): metrics 3 of 4, the other five all pass.
        assertThat(report.get("score").asDouble()).isCloseTo((75.0 + 5 * 100) / 6, org.assertj.core.data.Offset.offset(0.01));
        assertThat(first.status()).as(first.err()).isZero();

        assertThat(shell.oneShot("agents", "stop", "UnifiedWebAgent").status()).isZero();
        ShellHarness.Run second = shell.oneShot("health");
        assertThat(second.status()).isEqualTo(1);
        assertThat(second.err()).containsPattern("health score \\d+\\.\\d% is below the minimum 95% \\(2 critical issues\\)");
        assertThat(second.out()).containsPattern("agent discovery and connectivity\\s+60\\.0%\\s+3\\s+2")
                .contains("FAIL m1/UnifiedWebAgent answers its health check: GET http://127.0.0.1:", "Connection refused",
                        "-> agents start UnifiedWebAgent", "Critical issues", "Overall health: ");
        JsonNode after = json.readTree(shell.oneShot("health", "--json").out());
        assertThat(after.get("score").asDouble()).isLessThan(report.get("score").asDouble());
        assertThat(after.get("critical_issues").toString()).contains("m1/UnifiedWebAgent answers its health check",
                "at least 90% of agents healthy");
    }

    @Test
    void aCapturedBaselineIsComparedSampleBySampleAndThinDataHolds() throws IOException {
        assertThat(shell.oneShot("agents", "start", "QuickAgent").status()).isZero();
        ShellHarness.Run capture = shell.oneShot("baseline", "capture", "QuickAgent", "--window", "2m",
                "--starts", "4", "--probes", "3", "--json");
        assertThat(capture.status()).as(capture.err()).isZero();
        JsonNode captured = json.readTree(capture.out()).get("runtime_baselines");
        JsonNode quick = captured.get(0);
        assertThat(quick.propertyNames()).containsExactly("agent", "version", "id", "window_start", "window_end", "samples", "thin");
        assertThat(quick.get("agent").asString()).isEqualTo("m1/QuickAgent");
        assertThat(quick.get("version").asInt()).isEqualTo(1);
        assertThat(quick.get("samples").get("healthy_starts").asInt()).isEqualTo(5); // agents start + 4 restarts
        assertThat(quick.get("samples").get("probes").asInt()).isEqualTo(3);
        assertThat(quick.get("thin").toString()).contains("probes", "traffic intervals");
        assertThat(shell.oneShot("baseline", "list").out()).containsPattern("m1\\s+QuickAgent\\s+1\\s+");

        // Four more starts after the baseline, typed in one session (one application context instead of four).
        ShellHarness.Run restarts = shell.interactive("agents restart QuickAgent\n".repeat(4) + "quit\n");
        assertThat(restarts.out().split("healthy after", -1)).hasSize(5);
        ShellHarness.Run compare = shell.oneShot("baseline", "compare", "QuickAgent", "--json");
        assertThat(json.readTree(compare.out()).propertyNames()).containsExactly("agent", "since", "decisions");
        JsonNode decisions = json.readTree(compare.out()).get("decisions");
        assertThat(decisions.get(0).propertyNames()).containsExactly("gate", "verdict", "rule", "summary", "evidence");
        assertThat(decisions).hasSize(5);
        JsonNode health = decision(decisions, "health");
        assertThat(health.get("verdict").asString()).isEqualTo("PASS");
        assertThat(health.get("evidence").get("sample_ids")).hasSize(1);
        JsonNode startTimes = decision(decisions, "time-to-healthy");
        assertThat(startTimes.get("verdict").asString()).isIn("PASS", "FAIL", "HOLD");
        assertThat(startTimes.get("evidence").get("baseline").get("n").asInt()).isEqualTo(5);
        assertThat(startTimes.get("evidence").get("current").get("n").asInt()).isEqualTo(4);
        assertThat(startTimes.get("evidence").get("current").get("sample_ids")).hasSize(4);
        assertThat(startTimes.get("evidence").get("test_worse").get("p").asDouble()).isBetween(0.0, 1.0);
        assertThat(startTimes.get("evidence").get("baseline").get("window").get("source").asString()).startsWith("runtime baseline v1");
        JsonNode latency = decision(decisions, "p95 latency");
        assertThat(latency.get("verdict").asString()).isEqualTo("HOLD");
        assertThat(latency.get("summary").asString()).contains("insufficient data: need 4 more samples");
        assertThat(decision(decisions, "error rate").get("summary").asString()).contains("insufficient data");
        assertThat(compare.status()).as("a held gate exits 1").isEqualTo(1);
        assertThat(health.get("evidence").get("decision_id").asLong()).isPositive();

        assertThat(shell.oneShot("baseline", "compare", "UnifiedWebAgent").err())
                .contains("has no runtime baseline to compare after; give --since");
    }

    private static JsonNode category(JsonNode report, String name) {
        for (JsonNode c : report.get("categories")) {
            if (c.get("name").asString().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no category " + name);
    }

    private static JsonNode failed(JsonNode category) {
        for (JsonNode c : category.get("checks")) {
            if (c.get("status").asString().equals("FAIL")) {
                return c;
            }
        }
        throw new AssertionError("no failed check in " + category);
    }

    private static JsonNode decision(JsonNode decisions, String gate) {
        for (JsonNode d : decisions) {
            if (d.get("gate").asString().equals(gate)) {
                return d;
            }
        }
        throw new AssertionError("no gate " + gate);
    }
}
