package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One {@code GET /health} on an agent's health-check port. */
public final class HealthProbe {

    /** @param status the HTTP status, or -1 when nothing answered; @param body the start of the body or the error */
    public record Answer(String url, int status, String body, long millis) {
        public boolean healthy() {
            return status == 200;
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private HealthProbe() {
    }

    /** The health URL of the agent, or null when its config gives no health-check port. */
    public static String url(Agent agent) {
        if (agent.healthCheckPort() == null) {
            return null;
        }
        String host = agent.host() == null || agent.host().isBlank() || agent.host().equals("0.0.0.0") ? "127.0.0.1" : agent.host();
        return "http://" + host + ":" + agent.healthCheckPort() + "/health";
    }

    public static Answer probe(String url) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            return new Answer(url, response.statusCode(), body.length() > 300 ? body.substring(0, 300) : body,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (java.io.IOException e) {
            return new Answer(url, -1, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    (System.nanoTime() - start) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(url, -1, "interrupted", (System.nanoTime() - start) / 1_000_000);
        }
    }
}
