package io.fleetshell.engine.playbook;

import java.time.Duration;

/**
 * What a playbook may spend before it is stopped.
 *
 * @param timeout        wall-clock time for the whole run; an action in progress (a deploy, a profile) finishes first
 * @param statementLimit JavaScript statements executed, counted by GraalJS; catches endless loops long before the timeout
 * @param heapBudgetBytes growth of the JVM heap (after a collection) while the playbook runs; catches unbounded allocation,
 *                       which the community sandbox does not limit by itself
 */
public record PlaybookLimits(Duration timeout, long statementLimit, long heapBudgetBytes) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    /**
     * About 10 s of pure JavaScript in interpreter mode on this project's machines (10M statements took
     * 1.4 s): a policy computes batch sizes, it does not crunch numbers; waiting in fleet calls costs none.
     */
    public static final long DEFAULT_STATEMENT_LIMIT = 50_000_000;

    public PlaybookLimits {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    /** The defaults: 10 minutes, 50M statements, and a quarter of the maximum heap up to 512 MiB. */
    public static PlaybookLimits defaults() {
        return new PlaybookLimits(DEFAULT_TIMEOUT, DEFAULT_STATEMENT_LIMIT,
                Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 4));
    }

    public PlaybookLimits withTimeout(Duration timeout) {
        return new PlaybookLimits(timeout, statementLimit, heapBudgetBytes);
    }
}
