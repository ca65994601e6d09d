package io.fleetshell.engine.score;

/**
 * The scale both languages' scorers put measured costs on, so that a Python and a Java agent with the same costs
 * get the same factors: the cost that scores a factor in full, a logarithmic scale between a floor and that cost,
 * and rounding to one decimal as scores are shown.
 */
public final class ScoreScale {

    public static final double FULL_IMPACT_MS = 500;
    public static final double FULL_HEAVY_MS = 300;
    public static final double FULL_MEMORY_KB = 50 * 1024;

    private ScoreScale() {
    }

    /** 0 at or below {@code zero}, 1 at or above {@code full}, logarithmic between. */
    public static double logScale(double value, double zero, double full) {
        if (value <= zero) {
            return 0;
        }
        return Math.min(1, Math.log(value / zero) / Math.log(full / zero));
    }

    public static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
