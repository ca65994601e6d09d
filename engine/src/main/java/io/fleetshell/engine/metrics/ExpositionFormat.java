package io.fleetshell.engine.metrics;

import java.util.Locale;

/** The two formats a {@code /metrics} endpoint may answer in, told apart by the response's Content-Type. */
public enum ExpositionFormat {
    /** Prometheus text format 0.0.4 ({@code text/plain; version=0.0.4}); timestamps in milliseconds. */
    TEXT,
    /** OpenMetrics 1.0 ({@code application/openmetrics-text}); ends with {@code # EOF}, timestamps in seconds. */
    OPENMETRICS;

    /** What a scraper asks for: OpenMetrics first, then the text format, as Prometheus itself does. */
    public static final String ACCEPT = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    /** The format a Content-Type header names; anything else (or none) is read as the text format. */
    public static ExpositionFormat ofContentType(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/openmetrics-text")
                ? OPENMETRICS : TEXT;
    }
}
