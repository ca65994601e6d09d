package io.fleetshell.shell.watch;

import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.metrics.Exposition;
import io.fleetshell.engine.metrics.RequestStats;
import io.fleetshell.engine.metrics.ScrapeResult;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code watch} remembers between cycles: each agent's previous exposition (what the next interval is
 * measured against) and its recent p95 values. {@link #update} turns one cycle's results into a model.
 */
public final class WatchState {

    /** Intervals kept per agent: the sparkline's width and what is compared with the baseline. */
    static final int HISTORY = 30;
    /** A 5xx share at or above this raises an alert. */
    static final double ERROR_RATE_ALERT = 0.01;

    private final Duration interval;
    private final String source;
    private final Thresholds thresholds;
    private final WatchFacts facts;
    private final Map<AgentId, Exposition> previous = new HashMap<>();
    private final Map<AgentId, Deque<WatchFacts.P95>> history = new HashMap<>();
    private int cycle;

    public WatchState(Duration interval, String source, Thresholds thresholds, WatchFacts facts) {
        this.interval = interval;
        this.source = source;
        this.thresholds = thresholds;
        this.facts = facts;
    }

    /** Starts the agent's first interval at an earlier scrape (from the history), so one cycle already has figures. */
    public void prime(AgentId agent, Exposition earlier) {
        previous.put(agent, earlier);
    }

    /** Starts the agent's p95 history with intervals measured before this watch (stored scrapes), oldest first. */
    public void seed(AgentId agent, List<WatchFacts.P95> earlier) {
        Deque<WatchFacts.P95> p95s = history.computeIfAbsent(agent, a -> new ArrayDeque<>());
        earlier.forEach(p95s::addLast);
        while (p95s.size() > HISTORY) {
            p95s.removeFirst();
        }
    }

    public boolean primed(AgentId agent) {
        return previous.containsKey(agent);
    }

    /**
     * The model after one cycle whose results (in row order, stored as the scrapes {@code scrapeIds}) took
     * {@code took} and {@code cpu} of CPU time.
     */
    public WatchModel update(List<ScrapeResult> results, List<Long> scrapeIds, Duration took, Duration cpu) {
        cycle++;
        facts.cycle();
        Instant at = results.isEmpty() ? Instant.now() : results.getFirst().at();
        List<WatchModel.Row> rows = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            rows.add(row(results.get(i), scrapeIds.get(i)));
        }
        return new WatchModel(at, cycle, interval, source, took, cpu, rows, thresholds);
    }

    private WatchModel.Row row(ScrapeResult result, long scrapeId) {
        AgentId agent = result.target().agent();
        Deque<WatchFacts.P95> p95s = history.computeIfAbsent(agent, a -> new ArrayDeque<>());
        double timeToHealthy = facts.timeToHealthySeconds(agent).orElse(Double.NaN);
        List<String> alerts = new ArrayList<>();
        if (result instanceof ScrapeResult.Failed failed) {
            WatchModel.Status status = switch (failed.failure()) {
                case UNREACHABLE, TIMEOUT -> WatchModel.Status.DOWN;
                case HTTP_STATUS, MALFORMED, TOO_LARGE -> WatchModel.Status.ERROR;
            };
            alerts.add(failed.message());
            Change change = facts.change(agent, List.copyOf(p95s)).orElse(null);
            return new WatchModel.Row(agent, status, failed.failure().name().toLowerCase(), timeToHealthy, Double.NaN,
                    seconds(p95s), 0, Double.NaN, change, alerts);
        }
        Exposition now = ((ScrapeResult.Scraped) result).exposition();
        Exposition before = previous.put(agent, now);
        RequestStats stats = before == null ? null : RequestStats.between(before, now);
        if (stats != null) {
            p95s.addLast(new WatchFacts.P95(scrapeId, stats.p95Seconds()));
            while (p95s.size() > HISTORY) {
                p95s.removeFirst();
            }
        }
        Change change = facts.change(agent, List.copyOf(p95s)).orElse(null);
        if (change != null && change.verdict() == Change.Verdict.REGRESSED) {
            alerts.add("p95 %.0f%% slower than its baseline (%s)".formatted(-change.percent(), change.basis()));
        }
        double errorRate = stats == null ? Double.NaN : stats.errorRate();
        if (errorRate >= ERROR_RATE_ALERT) {
            alerts.add("5xx on %.1f%% of %.0f requests".formatted(100 * errorRate, stats.requests()));
        }
        return new WatchModel.Row(agent, WatchModel.Status.UP, stats == null ? "first scrape" : "", timeToHealthy,
                stats == null ? Double.NaN : stats.p95Seconds(), seconds(p95s), stats == null ? 0 : stats.requests(), errorRate, change, alerts);
    }

    private static List<Double> seconds(Deque<WatchFacts.P95> p95s) {
        return p95s.stream().map(WatchFacts.P95::seconds).toList();
    }
}
