package io.fleetshell.shell;

import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A demo Java agent under the runtime commands: started with the java source launcher, timed to healthy, watched, stopped. */
class JavaAgentRuntimeTest {

    @TempDir
    Path home;
    @TempDir
    Path fleet;

    private final JsonMapper json = JsonMapper.builder().build();

    @AfterEach
    void killLeftovers() throws IOException {
        RuntimeTestFleet.killLeftovers(home, fleet.resolve("none.pid"));
    }

    @Test
    void aJavaAgentStartsHealthyIsWatchedLikeAnyOtherAndStops() throws Exception {
        RuntimeTestFleet.install(fleet);
        int port = Ports.free();
        int healthPort = Ports.free();
        Path config = fleet.resolve("jvm_config.yaml");
        Files.writeString(config, """
                agent_groups:
                  jvm:
                    RouteMatcherAgent: {script_path: pc2_code/jvm/RouteMatcherAgent.java, port: %d, health_check_port: %d}
                """.formatted(port, healthPort));
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("inventory", "load", config.toString(), "--machine", "jvm1").status()).isZero();

        ShellHarness.Run start = shell.oneShot("agents", "start", "RouteMatcherAgent", "--json");
        assertThat(start.status()).as(start.err()).isZero();
        JsonNode started = json.readTree(start.out()).get("agents").get(0);
        assertThat(started.get("result").asString()).isEqualTo("healthy");
        assertThat(started.get("time_to_healthy_ms").asDouble()).isPositive();
        assertThat(Files.readString(home.resolve("logs/jvm1/RouteMatcherAgent.log"))).contains("RouteMatcherAgent ready");

        HttpResponse<String> run = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:%d/run?x=/api/v2/tenant-1234/res1000/a/b".formatted(port))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(run.body()).contains("\"service\": \"service-1000\"");

        ShellHarness.Run watch = shell.oneShot("watch", "RouteMatcherAgent", "--once", "--json");
        assertThat(watch.status()).as(watch.err()).isZero();
        JsonNode row = json.readTree(watch.out()).get("rows").get(0);
        assertThat(row.get("status").asString()).isEqualTo("up");

        ShellHarness.Run stop = shell.oneShot("agents", "stop", "RouteMatcherAgent");
        assertThat(stop.status()).as(stop.err()).isZero();
        assertThat(Files.readString(home.resolve("logs/jvm1/RouteMatcherAgent.log"))).contains("RouteMatcherAgent stopped");
    }
}
