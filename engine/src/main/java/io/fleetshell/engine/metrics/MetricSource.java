package io.fleetshell.engine.metrics;

import java.util.List;

/** Where current metrics come from: the agents' own endpoints ({@link Scraper}) or a Prometheus server ({@link PrometheusSource}). */
public interface MetricSource extends AutoCloseable {

    /** One result per target, in the targets' order; a target's failure is its result, never an exception. */
    List<ScrapeResult> read(List<ScrapeTarget> targets);

    /** Says where the metrics come from, for messages. */
    String describe();

    @Override
    void close();
}
