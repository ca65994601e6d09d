package io.fleetshell.engine.metrics;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;

import java.net.URI;
import java.util.Optional;

/** One endpoint to scrape: the agent it belongs to and its {@code /metrics} URL. */
public record ScrapeTarget(AgentId agent, URI uri) {

    /**
     * The agent's {@code http://HOST:HEALTH_PORT/metrics} (host 127.0.0.1 when the config names none), or
     * empty when its config gives no health-check port, so there is nothing to scrape.
     */
    public static Optional<ScrapeTarget> of(Agent agent) {
        if (agent.healthCheckPort() == null) {
            return Optional.empty();
        }
        String host = agent.host() == null || agent.host().isBlank() || agent.host().equals("0.0.0.0") ? "127.0.0.1" : agent.host();
        return Optional.of(new ScrapeTarget(agent.id(), URI.create("http://" + host + ":" + agent.healthCheckPort() + "/metrics")));
    }
}
