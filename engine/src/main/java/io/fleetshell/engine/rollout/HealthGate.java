package io.fleetshell.engine.rollout;

import io.fleetshell.engine.gate.Gate;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent answers {@code GET /health} with 200 within a time limit of its restart. Holds when the agent
 * has no health-check port (nothing to ask), fails when it does not become healthy in time.
 */
public final class HealthGate implements Gate {

    private final Duration limit;

    public HealthGate(Duration limit) {
        this.limit = limit;
    }

    @Override
    public String name() {
        return "healthy after restart";
    }

    @Override
    public GateDecision evaluate(Agent agent, Instant since) {
        String url = HealthProbe.url(agent);
        if (url == null) {
            return GateDecision.cannotEvaluate(name(), agent.name() + " has no health_check_port in its config: its health cannot be asked");
        }
        Instant deadline = since.plus(limit);
        int attempts = 0;
        HealthProbe.Answer answer;
        do {
            attempts++;
            answer = HealthProbe.probe(url);
            if (answer.healthy()) {
                break;
            }
            sleep(200);
        } while (Instant.now().isBefore(deadline));
        long sinceRestart = Duration.between(since, Instant.now()).toMillis();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("url", url);
        evidence.put("attempts", attempts);
        evidence.put("last_status", answer.status());
        evidence.put("last_body", answer.body());
        evidence.put("ms_since_restart", sinceRestart);
        evidence.put("limit_ms", limit.toMillis());
        if (answer.healthy()) {
            return new GateDecision(name(), GateDecision.Verdict.PASS, "GET /health = 200 within " + limit.toSeconds() + " s",
                    "healthy %d ms after the restart (%d probe%s)".formatted(sinceRestart, attempts, attempts == 1 ? "" : "s"), evidence);
        }
        return new GateDecision(name(), GateDecision.Verdict.FAIL, "no GET /health = 200 within " + limit.toSeconds() + " s",
                "not healthy %d ms after the restart: last answer %s".formatted(sinceRestart,
                        answer.status() < 0 ? answer.body() : "HTTP " + answer.status()), evidence);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
