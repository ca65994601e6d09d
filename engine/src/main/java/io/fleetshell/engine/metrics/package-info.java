/**
 * Runtime metrics: a parser for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0, histogram
 * quantiles computed as Prometheus' {@code histogram_quantile} does, a scraper for agents' {@code /metrics}
 * endpoints and a client for a Prometheus server's query API. Every failure of one target is a value, never
 * an exception that stops the others.
 */
package io.fleetshell.engine.metrics;
