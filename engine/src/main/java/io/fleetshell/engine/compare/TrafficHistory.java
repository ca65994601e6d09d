package io.fleetshell.engine.compare;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.metrics.RequestStats;

import java.time.Instant;
import java.util.List;

/**
 * The scraped traffic of an agent, interval by interval (history-db's metric store implements it): what
 * the agent served between two consecutive successful scrapes. Each interval's p95 is one raw latency
 * sample of the comparison, named by its two scrape ids.
 */
@FunctionalInterface
public interface TrafficHistory {

    /** One interval between scrapes {@code fromScrape} and {@code toScrape}, ending at {@code at}. */
    record Interval(long fromScrape, long toScrape, Instant at, RequestStats stats) {
    }

    /** Intervals whose scrapes both fall in {@code [from, to]}, oldest first. */
    List<Interval> intervals(AgentId agent, Instant from, Instant to);

    /** For callers without scraped metrics: no intervals at all. */
    TrafficHistory NONE = (agent, from, to) -> List.of();
}
