package io.fleetshell.shell.watch;

import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.inventory.AgentId;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One frame's worth of facts: every watched agent's row and the totals.
 *
 * @param at         when the cycle's scrapes were sent
 * @param cycle      1 for the first cycle
 * @param interval   the time between cycles
 * @param source     where metrics come from, for the header
 * @param took       how long the cycle's scrapes (and storing them) took
 * @param cpu        the CPU time this process spent in that while, all threads (parsing, storing, GC, JIT)
 * @param rows       one per agent, in inventory order
 * @param thresholds the thresholds the change column is judged by (settings.yaml {@code thresholds:})
 */
public record WatchModel(Instant at, int cycle, Duration interval, String source, Duration took, Duration cpu, List<Row> rows,
                         Thresholds thresholds) {

    public WatchModel {
        rows = List.copyOf(rows);
    }

    /** How an agent's endpoint answered this cycle. */
    public enum Status {
        /** It answered with valid metrics. */
        UP,
        /** It answered, but with an HTTP error or metrics that do not parse. */
        ERROR,
        /** No answer: nothing listens, the connection broke, or it timed out. */
        DOWN
    }

    /**
     * One agent.
     *
     * @param p95Seconds        the p95 over the last interval, NaN when no requests came in it (or on the first cycle)
     * @param p95History        the p95 of each recent interval, oldest first, for the sparkline
     * @param errorRate         the 5xx share over the last interval, NaN when unknown
     * @param requests          requests in the last interval
     * @param timeToHealthySeconds NaN when never measured
     * @param change            null without a baseline
     * @param alerts            what needs attention, each a sentence
     */
    public record Row(AgentId agent, Status status, String detail, double timeToHealthySeconds, double p95Seconds,
                      List<Double> p95History, double requests, double errorRate, Change change, List<String> alerts) {
        public Row {
            p95History = List.copyOf(p95History);
            alerts = List.copyOf(alerts);
        }
    }

    public long up() {
        return rows.stream().filter(r -> r.status() == Status.UP).count();
    }

    /** The share of watched agents that answered with valid metrics, in percent. */
    public double healthPercent() {
        return rows.isEmpty() ? 0 : 100.0 * up() / rows.size();
    }

    public long count(Change.Verdict... verdicts) {
        List<Change.Verdict> wanted = List.of(verdicts);
        return rows.stream().filter(r -> r.change() != null && wanted.contains(r.change().verdict())).count();
    }

    public List<Row> withAlerts() {
        return rows.stream().filter(r -> !r.alerts().isEmpty()).toList();
    }
}
