package io.fleetshell.engine.stats;

/**
 * The two-proportion z-test: is the share of failures among the candidate's trials larger than among the
 * reference's? Used for error rates (failed requests or probes out of all of them), where each trial is a
 * yes/no and a rank test does not apply.
 *
 * @param candidateEvents  failures in the candidate window
 * @param candidateTrials  all trials in the candidate window
 * @param referenceEvents  failures in the reference window
 * @param referenceTrials  all trials in the reference window
 * @param z                (candidate rate - reference rate) / pooled standard error; 0 when there is no variance
 * @param pValue           one-sided: the probability of a candidate rate at least this much higher if both
 *                         windows shared one rate
 */
public record TwoProportions(long candidateEvents, long candidateTrials, long referenceEvents, long referenceTrials,
                             double z, double pValue) {

    /** Tests whether the candidate's rate is higher than the reference's. */
    public static TwoProportions greaterThan(long candidateEvents, long candidateTrials, long referenceEvents, long referenceTrials) {
        if (candidateTrials <= 0 || referenceTrials <= 0) {
            throw new IllegalArgumentException("both windows need at least one trial (got %d and %d)"
                    .formatted(candidateTrials, referenceTrials));
        }
        if (candidateEvents < 0 || referenceEvents < 0 || candidateEvents > candidateTrials || referenceEvents > referenceTrials) {
            throw new IllegalArgumentException("events must be between 0 and the trials");
        }
        double p1 = candidateEvents / (double) candidateTrials;
        double p2 = referenceEvents / (double) referenceTrials;
        double pooled = (candidateEvents + referenceEvents) / (double) (candidateTrials + referenceTrials);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / candidateTrials + 1.0 / referenceTrials));
        if (se == 0) { // no failures at all, or nothing but failures: no evidence of a difference
            return new TwoProportions(candidateEvents, candidateTrials, referenceEvents, referenceTrials, 0, 1.0);
        }
        double z = (p1 - p2) / se;
        return new TwoProportions(candidateEvents, candidateTrials, referenceEvents, referenceTrials, z, 1 - Normal.cdf(z));
    }

    public double candidateRate() {
        return candidateEvents / (double) candidateTrials;
    }

    public double referenceRate() {
        return referenceEvents / (double) referenceTrials;
    }

    public boolean significant(double alpha) {
        return pValue < alpha;
    }

    public String method() {
        return "two-proportion z-test (pooled, one-sided greater)";
    }
}
