package io.fleetshell.shell.watch;

import io.fleetshell.engine.inventory.AgentId;

import java.util.List;
import java.util.Optional;

/**
 * What the dashboard shows beyond the scrapes: measured start times, the comparison with baselines, and one agent's
 * history for its detail.
 */
public interface WatchFacts {

    /** One interval's p95 latency and the scrape that ended it. */
    record P95(long scrapeId, double seconds) {
    }

    /**
     * Called once at the start of each cycle's model, before the per-agent questions below: an implementation reads
     * here, in one go, what every row of the cycle needs.
     */
    default void cycle() {
    }

    /** The agent's last measured time-to-healthy in seconds, when one was measured. */
    Optional<Double> timeToHealthySeconds(AgentId agent);

    /** The change of the agent's recent p95 latencies (one per scrape interval) against its baseline. */
    Optional<Change> change(AgentId agent, List<P95> recent);

    /**
     * What the dashboard's detail of one agent shows (Enter on its row), each section a few lines, newest last.
     *
     * @param scrapes   its latest stored scrapes: when, status, how long they took
     * @param starts    its start history: method, healthy or not, time-to-healthy
     * @param decisions the last gate decisions about it: gate, verdict, summary
     * @param log       where its log is, and its last lines
     */
    record Detail(List<String> scrapes, List<String> starts, List<String> decisions, String log, List<String> logTail) {
        public Detail {
            scrapes = List.copyOf(scrapes);
            starts = List.copyOf(starts);
            decisions = List.copyOf(decisions);
            logTail = List.copyOf(logTail);
        }
    }

    /** The agent's detail, read when it is shown. */
    Detail detail(AgentId agent);

    /** No start times, no baselines and no history. */
    WatchFacts NONE = new WatchFacts() {
        @Override
        public Optional<Double> timeToHealthySeconds(AgentId agent) {
            return Optional.empty();
        }

        @Override
        public Optional<Change> change(AgentId agent, List<P95> recent) {
            return Optional.empty();
        }

        @Override
        public Detail detail(AgentId agent) {
            return new Detail(List.of(), List.of(), List.of(), "no log", List.of());
        }
    };
}
