package io.fleetshell.shell.watch;

import io.fleetshell.engine.inventory.AgentId;

import java.util.List;
import java.util.Optional;

/** What the dashboard shows beyond the scrapes: measured start times and the comparison with baselines. */
public interface WatchFacts {

    /** One interval's p95 latency and the scrape that ended it. */
    record P95(long scrapeId, double seconds) {
    }

    /** The agent's last measured time-to-healthy in seconds, when one was measured. */
    Optional<Double> timeToHealthySeconds(AgentId agent);

    /** The change of the agent's recent p95 latencies (one per scrape interval) against its baseline. */
    Optional<Change> change(AgentId agent, List<P95> recent);

    /** No start times and no baselines. */
    WatchFacts NONE = new WatchFacts() {
        @Override
        public Optional<Double> timeToHealthySeconds(AgentId agent) {
            return Optional.empty();
        }

        @Override
        public Optional<Change> change(AgentId agent, List<P95> recent) {
            return Optional.empty();
        }
    };
}
