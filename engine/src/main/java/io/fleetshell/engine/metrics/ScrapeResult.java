package io.fleetshell.engine.metrics;

import java.time.Duration;
import java.time.Instant;

/** What scraping one target gave: its metrics, or why there are none. One target's failure is never another's. */
public sealed interface ScrapeResult {

    ScrapeTarget target();

    /** When the request was sent. */
    Instant at();

    /** From sending the request to having read (and parsed) the whole answer, or to the failure. */
    Duration took();

    /** The target answered 200 with a valid exposition of {@code bytes} bytes. */
    record Scraped(ScrapeTarget target, Instant at, Duration took, long bytes, Exposition exposition) implements ScrapeResult {
    }

    /** The target failed; {@code message} says how, for the user (with line and column for malformed answers). */
    record Failed(ScrapeTarget target, Instant at, Duration took, Failure failure, String message) implements ScrapeResult {
    }

    /** The ways a scrape fails. */
    enum Failure {
        /** Nothing listens, or the connection was reset or closed early (the agent died). */
        UNREACHABLE,
        /** No complete answer within the target's timeout (the agent hangs). */
        TIMEOUT,
        /** An HTTP status other than 200. */
        HTTP_STATUS,
        /** The answer is larger than the scraper accepts. */
        TOO_LARGE,
        /** The answer is not a valid exposition (garbage or cut off). */
        MALFORMED
    }
}
