package io.fleetshell.engine.stats;

import java.util.Arrays;

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum) on two independent samples: does one tend to be smaller
 * than the other? It uses ranks only, so one outlier run on a noisy machine cannot decide it, and it
 * assumes no distribution. Samples up to {@value #EXACT_LIMIT} values each without ties get the exact
 * distribution of U; larger or tied samples the normal approximation with tie and continuity corrections.
 */
public final class MannWhitney {

    /** Largest sample size (each side) for which the exact distribution is computed. */
    static final int EXACT_LIMIT = 30;

    private MannWhitney() {
    }

    /** Tests whether {@code candidate} tends to be smaller than {@code reference} (e.g. a faster load time). */
    public static RankTest lessThan(double[] candidate, double[] reference) {
        return test(candidate, reference, Alternative.LESS);
    }

    /** Tests whether {@code candidate} tends to be larger than {@code reference} (e.g. a regressed latency). */
    public static RankTest greaterThan(double[] candidate, double[] reference) {
        return test(candidate, reference, Alternative.GREATER);
    }

    /** Tests whether the two samples differ in either direction. */
    public static RankTest twoSided(double[] candidate, double[] reference) {
        return test(candidate, reference, Alternative.TWO_SIDED);
    }

    /**
     * The smallest sample size per side with which a one-sided test can reach {@code p < alpha} at all
     * (when every candidate value beats every reference value): the floor below which data is "insufficient".
     */
    public static int minimumPerSide(double alpha) {
        for (int n = 1; n <= EXACT_LIMIT; n++) {
            if (1.0 / binomial(2 * n, n) < alpha) {
                return n;
            }
        }
        throw new IllegalArgumentException("alpha " + alpha + " needs more than " + EXACT_LIMIT + " samples per side");
    }

    private enum Alternative {
        LESS("less"), GREATER("greater"), TWO_SIDED("two-sided");

        final String label;

        Alternative(String label) {
            this.label = label;
        }
    }

    private static RankTest test(double[] candidate, double[] reference, Alternative alternative) {
        int n1 = candidate.length;
        int n2 = reference.length;
        if (n1 == 0 || n2 == 0) {
            throw new IllegalArgumentException("both samples need at least one value (got " + n1 + " and " + n2 + ")");
        }
        for (double[] sample : new double[][] {candidate, reference}) {
            for (double v : sample) {
                if (Double.isNaN(v)) {
                    throw new IllegalArgumentException("samples must not contain NaN");
                }
            }
        }
        Ranks ranks = Ranks.of(candidate, reference);
        double u = ranks.candidateRankSum() - n1 * (n1 + 1) / 2.0;
        if (!ranks.tied() && n1 <= EXACT_LIMIT && n2 <= EXACT_LIMIT) {
            return exact(alternative, n1, n2, u);
        }
        return normal(alternative, n1, n2, u, ranks.tieSum());
    }

    private static RankTest exact(Alternative alternative, int n1, int n2, double u) {
        double[] counts = distribution(n1, n2);
        double total = binomial(n1 + n2, n1);
        int observed = (int) Math.round(u);
        double lower = 0;
        for (int k = 0; k <= observed; k++) {
            lower += counts[k];
        }
        double upper = 0;
        for (int k = observed; k < counts.length; k++) {
            upper += counts[k];
        }
        double p = switch (alternative) {
            case LESS -> lower / total;
            case GREATER -> upper / total;
            case TWO_SIDED -> Math.min(1.0, 2 * Math.min(lower, upper) / total);
        };
        return new RankTest(alternative.label, n1, n2, u, 0, p, true);
    }

    /** Number of arrangements giving each U from 0 to n1*n2, by the recurrence f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u). */
    private static double[] distribution(int n1, int n2) {
        double[][] previous = new double[n2 + 1][];
        for (int n = 0; n <= n2; n++) {
            previous[n] = new double[] {1}; // m = 0: one arrangement, U = 0
        }
        for (int m = 1; m <= n1; m++) {
            double[][] current = new double[n2 + 1][];
            current[0] = new double[] {1};
            for (int n = 1; n <= n2; n++) {
                double[] f = new double[m * n + 1];
                double[] withoutCandidate = previous[n];   // f(m-1, n, .) shifted by n: the largest value is a candidate
                for (int k = 0; k < withoutCandidate.length; k++) {
                    f[k + n] += withoutCandidate[k];
                }
                double[] withoutReference = current[n - 1]; // f(m, n-1, .): the largest value is a reference
                for (int k = 0; k < withoutReference.length; k++) {
                    f[k] += withoutReference[k];
                }
                current[n] = f;
            }
            previous = current;
        }
        return previous[n2];
    }

    private static RankTest normal(Alternative alternative, int n1, int n2, double u, double tieSum) {
        double n = n1 + n2;
        double mean = n1 * (double) n2 / 2;
        double variance = n1 * (double) n2 / 12 * ((n + 1) - tieSum / (n * (n - 1)));
        if (variance <= 0) { // every value equal: no evidence either way
            return new RankTest(alternative.label, n1, n2, u, 0, 1.0, false);
        }
        double sd = Math.sqrt(variance);
        double p = switch (alternative) {
            case LESS -> Normal.cdf((u - mean + 0.5) / sd);
            case GREATER -> 1 - Normal.cdf((u - mean - 0.5) / sd);
            case TWO_SIDED -> Math.min(1.0, 2 * (1 - Normal.cdf((Math.abs(u - mean) - 0.5) / sd)));
        };
        double z = switch (alternative) {
            case LESS -> (u - mean + 0.5) / sd;
            case GREATER -> (u - mean - 0.5) / sd;
            case TWO_SIDED -> Math.signum(u - mean) * Math.max(0, Math.abs(u - mean) - 0.5) / sd;
        };
        return new RankTest(alternative.label, n1, n2, u, z, Math.max(0, p), false);
    }

    static double binomial(int n, int k) {
        double result = 1;
        for (int i = 1; i <= k; i++) {
            result = result * (n - k + i) / i;
        }
        return result;
    }

    /** Mid-ranks of the pooled samples: the candidate's rank sum, whether there were ties, and the sum of t^3 - t over tie groups. */
    private record Ranks(double candidateRankSum, boolean tied, double tieSum) {

        static Ranks of(double[] candidate, double[] reference) {
            int n = candidate.length + reference.length;
            double[][] pooled = new double[n][];
            for (int i = 0; i < candidate.length; i++) {
                pooled[i] = new double[] {candidate[i], 1};
            }
            for (int i = 0; i < reference.length; i++) {
                pooled[candidate.length + i] = new double[] {reference[i], 0};
            }
            Arrays.sort(pooled, (a, b) -> Double.compare(a[0], b[0]));
            double rankSum = 0;
            double tieSum = 0;
            for (int i = 0; i < n; ) {
                int j = i;
                while (j + 1 < n && pooled[j + 1][0] == pooled[i][0]) {
                    j++;
                }
                double midRank = (i + j + 2) / 2.0; // ranks are 1-based
                for (int k = i; k <= j; k++) {
                    rankSum += pooled[k][1] * midRank;
                }
                double t = j - i + 1;
                tieSum += t * t * t - t;
                i = j + 1;
            }
            return new Ranks(rankSum, tieSum > 0, tieSum);
        }
    }
}
