package io.fleetshell.shell.watch;

/**
 * The change of an agent's p95 latency against its runtime baseline, as the latency gate's comparison judges it.
 *
 * @param percent (baseline - now) / baseline in percent: positive is faster; NaN when not computed
 * @param verdict where it stands against the thresholds
 * @param basis   what was compared and the rule applied, for the user
 */
public record Change(double percent, Verdict verdict, String basis) {

    /** Where a change stands against the thresholds (settings.yaml {@code thresholds:}). */
    public enum Verdict {
        /** Significantly better, by at least the target improvement (+40 % by default). */
        TARGET,
        /** Significantly better, by at least the minimum improvement (+20 %). */
        IMPROVED,
        /** Neither a significant improvement beyond the minimum nor a regression. */
        WITHIN,
        /** At or below the regression alert (-5 %) and significantly worse. */
        REGRESSED,
        /** Not enough samples on one side yet. */
        UNKNOWN
    }
}
