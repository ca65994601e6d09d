package io.fleetshell.engine.rollout;

import io.fleetshell.engine.gate.Gate;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.runtime.HealthProbe;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.runtime.ProbeTarget;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The agent's health check (its {@link ProbeTarget}: {@code GET /health} = 200, or a TCP connect) passes within
 * a time limit of its restart. Holds when the agent has no port to check (nothing to ask), fails when it does
 * not become healthy in time.
 */
public final class HealthGate implements Gate {

    private final Duration limit;
    private final Function<Agent, Optional<ProbeTarget>> targets;
    private final HealthProbe probe = new HealthProbe();

    /** @param targets how each agent's health is checked, with its machine's settings (e.g. {@code a -> ProbeTarget.of(a, inventory)}) */
    public HealthGate(Duration limit, Function<Agent, Optional<ProbeTarget>> targets) {
        this.limit = limit;
        this.targets = targets;
    }

    @Override
    public String name() {
        return "healthy after restart";
    }

    @Override
    public GateDecision evaluate(Agent agent, Instant since) {
        Optional<ProbeTarget> found = targets.apply(agent);
        if (found.isEmpty()) {
            return GateDecision.cannotEvaluate(name(), agent.name() + " has no health_check_port or port in its config: its health cannot be asked");
        }
        ProbeTarget target = found.get();
        Instant deadline = since.plus(limit);
        int attempts = 0;
        ProbeResult answer;
        do {
            attempts++;
            answer = probe.probe(target);
            if (answer.healthy()) {
                break;
            }
            sleep(200);
        } while (Instant.now().isBefore(deadline));
        long sinceRestart = Duration.between(since, Instant.now()).toMillis();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("probe", target.describe());
        evidence.put("attempts", attempts);
        evidence.put("last_outcome", answer.outcome().name());
        evidence.put("last_status", answer.statusCode() == null ? -1 : answer.statusCode());
        evidence.put("last_detail", answer.detail() == null ? "" : answer.detail());
        evidence.put("ms_since_restart", sinceRestart);
        evidence.put("limit_ms", limit.toMillis());
        if (answer.healthy()) {
            return new GateDecision(name(), GateDecision.Verdict.PASS, target.describe() + " healthy within " + limit.toSeconds() + " s",
                    "healthy %d ms after the restart (%d probe%s)".formatted(sinceRestart, attempts, attempts == 1 ? "" : "s"), evidence);
        }
        return new GateDecision(name(), GateDecision.Verdict.FAIL, "no healthy " + target.describe() + " within " + limit.toSeconds() + " s",
                "not healthy %d ms after the restart: last answer %s".formatted(sinceRestart, answer.detail()), evidence);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
