package io.fleetshell.shell.watch;

/**
 * The change against baseline that counts: the target improvement (40 %), the minimum worth keeping (20 %) and
 * the regression that raises an alert (-5 %). Positive is better: for latency, a lower p95 than the baseline's.
 */
public record Thresholds(double targetPercent, double minimumPercent, double regressionPercent) {

    public static final Thresholds DEFAULT = new Thresholds(40, 20, -5);

    /** How a change in percent (positive = better) compares with the thresholds. */
    public Verdict verdict(double percent) {
        if (Double.isNaN(percent)) {
            return Verdict.UNKNOWN;
        }
        if (percent >= targetPercent) {
            return Verdict.TARGET;
        }
        if (percent >= minimumPercent) {
            return Verdict.IMPROVED;
        }
        return percent <= regressionPercent ? Verdict.REGRESSED : Verdict.WITHIN;
    }

    /** Where a change stands. */
    public enum Verdict {
        /** At or beyond the target improvement. */
        TARGET,
        /** At or beyond the minimum improvement. */
        IMPROVED,
        /** Between the regression alert and the minimum improvement. */
        WITHIN,
        /** At or below the regression alert. */
        REGRESSED,
        /** No baseline, or nothing measured to compare. */
        UNKNOWN
    }
}
