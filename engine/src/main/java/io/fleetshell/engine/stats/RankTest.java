package io.fleetshell.engine.stats;

/**
 * The outcome of a Mann-Whitney U test, with what a reader needs to check it.
 *
 * @param alternative what was tested against "no difference": {@code less}, {@code greater} or {@code two-sided}
 * @param n1          size of the candidate sample
 * @param n2          size of the reference sample
 * @param u           U of the candidate: the number of (candidate, reference) pairs where the candidate is larger, ties counting half
 * @param z           the standardized U (tie-corrected, with continuity correction); 0 for an exact test
 * @param pValue      the probability of a U at least this extreme when both samples come from one distribution
 * @param exact       whether {@code pValue} is the exact distribution of U (small samples without ties) or the normal approximation
 */
public record RankTest(String alternative, int n1, int n2, double u, double z, double pValue, boolean exact) {

    /** Whether the difference is significant at level {@code alpha}. */
    public boolean significant(double alpha) {
        return pValue < alpha;
    }

    /** The p-value as a reader sees it: {@code p = 0.0123}, or {@code p < 0.0001} rather than a rounded {@code p = 0.0000}. */
    public String p() {
        return pValue < 0.0001 ? "p < 0.0001" : "p = %.4f".formatted(pValue);
    }

    /** The method in a few words, for evidence: {@code Mann-Whitney U (exact, one-sided less)}. */
    public String method() {
        return "Mann-Whitney U (" + (exact ? "exact" : "normal approximation, tie-corrected") + ", " + alternative + ")";
    }
}
