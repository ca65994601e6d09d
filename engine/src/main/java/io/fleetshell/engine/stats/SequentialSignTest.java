package io.fleetshell.engine.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * A one-sided paired sign test run as a group-sequential design, so that the number of paired measurements is chosen
 * by the data while the false-positive rate stays at {@code alpha} (issue 16 item 9: verdicts flipped on a busy machine).
 *
 * <p>Each pair is a "win" when the candidate beat the reference by more than the effect floor in that pair. The null
 * hypothesis is that a pair wins with probability at most 1/2 (the true gain is at most the floor); the alternative that
 * it wins with probability {@code winShare} or more. The sign test needs no assumption on the shape of the noise (a load
 * spike is one lost pair, not a shifted mean) and its null distribution is the exact binomial.
 *
 * <p>The pairs are looked at after {@code looks[0]}, {@code looks[1]}, ... of them. The efficacy boundary of each look
 * spends the error rate by the Pocock-type spending function of Lan and DeMets, {@code alpha(t) = alpha * ln(1 + (e - 1) t)}
 * with {@code t} the share of the largest look (K. K. G. Lan and D. L. DeMets, "Discrete sequential boundaries for
 * clinical trials", Biometrika 70(3), 1983, 659-663); the boundary at each look is the fewest wins whose exact probability
 * of being crossed there first, under a win probability of 1/2, keeps the spent total within {@code alpha(t)}, computed by
 * dynamic programming over the binomial counts (so the design is exact, not a normal approximation). A win probability
 * below 1/2 only lowers every crossing probability, so the error rate is at most {@code alpha} over the whole null
 * hypothesis. The futility boundaries spend {@code beta} in the same way under the alternative and are non-binding: the
 * efficacy boundaries are computed as if the test never stopped for futility, so stopping early for futility can only
 * lower the false-positive rate. At the last look every pair count that does not pass fails.
 */
public final class SequentialSignTest {

    /** What a look decides. */
    public enum Verdict { PASS, FAIL, CONTINUE }

    private final double alpha;
    private final double beta;
    private final double winShare;
    private final int[] looks;
    private final int[] passAt;
    private final int[] failAt;

    /**
     * @param alpha    the false-positive rate to keep (one-sided)
     * @param beta     the false-negative rate spent on early futility stops under the alternative
     * @param winShare the win probability of the alternative, above 1/2
     * @param looks    the cumulative numbers of pairs at which to decide, increasing
     */
    public SequentialSignTest(double alpha, double beta, double winShare, List<Integer> looks) {
        if (!(alpha > 0 && alpha < 0.5) || !(beta > 0 && beta < 0.5) || !(winShare > 0.5 && winShare < 1) || looks.isEmpty()) {
            throw new IllegalArgumentException("alpha and beta must lie in (0, 0.5), the win share in (0.5, 1), and there must be a look");
        }
        this.alpha = alpha;
        this.beta = beta;
        this.winShare = winShare;
        this.looks = looks.stream().mapToInt(Integer::intValue).toArray();
        for (int k = 0; k < this.looks.length; k++) {
            if (this.looks[k] < 1 || (k > 0 && this.looks[k] <= this.looks[k - 1])) {
                throw new IllegalArgumentException("looks must be increasing positive pair counts: " + looks);
            }
        }
        passAt = efficacyBoundaries();
        failAt = futilityBoundaries();
    }

    /**
     * The design fleetshell's proofs use: an early look after 0.6 times {@code first} pairs (7 of 11: a rewrite that wins
     * every pair is decided there, in a third fewer loads; issue 19), the planned look after {@code first}, then after
     * 1.5, 2, 3 and 4 times as many, alternative win share 0.8, futility spending 0.1. The early look spends only what
     * the Lan-DeMets function allows at its share of the pairs, so the error rate stays {@code alpha} over all looks.
     */
    public static SequentialSignTest forProofs(double alpha, int first) {
        List<Integer> looks = new ArrayList<>();
        for (double factor : new double[] {0.6, 1, 1.5, 2, 3, 4}) {
            int n = (int) Math.ceil(first * factor);
            if (looks.isEmpty() || n > looks.getLast()) {
                looks.add(n);
            }
        }
        return new SequentialSignTest(alpha, 0.10, 0.8, looks);
    }

    /** The decision after {@code pairs} pairs of which {@code wins} won; CONTINUE between looks. */
    public Verdict decide(int pairs, int wins) {
        for (int k = 0; k < looks.length; k++) {
            if (looks[k] == pairs) {
                return wins >= passAt[k] ? Verdict.PASS : wins <= failAt[k] ? Verdict.FAIL : Verdict.CONTINUE;
            }
        }
        if (pairs > looks[looks.length - 1]) {
            throw new IllegalArgumentException("the design ends after " + looks[looks.length - 1] + " pairs");
        }
        return Verdict.CONTINUE;
    }

    public List<Integer> looks() {
        return java.util.Arrays.stream(looks).boxed().toList();
    }

    /** The fewest wins that pass at each look (more than the look's pairs where it cannot pass there). */
    public List<Integer> passBoundaries() {
        return java.util.Arrays.stream(passAt).boxed().toList();
    }

    /** The most wins that fail at each look (-1 where it cannot fail there). */
    public List<Integer> failBoundaries() {
        return java.util.Arrays.stream(failAt).boxed().toList();
    }

    public int maxPairs() {
        return looks[looks.length - 1];
    }

    public double alpha() {
        return alpha;
    }

    /** The exact probability that the design passes when each pair wins with probability {@code p}. */
    public double passProbability(double p) {
        double[] alive = {1.0};
        int n = 0;
        double passed = 0;
        for (int k = 0; k < looks.length; k++) {
            alive = advance(alive, looks[k] - n, p);
            n = looks[k];
            for (int w = 0; w < alive.length; w++) {
                if (w >= passAt[k]) {
                    passed += alive[w];
                    alive[w] = 0;
                } else if (w <= failAt[k]) {
                    alive[w] = 0;
                }
            }
        }
        return passed;
    }

    /** The exact one-sided p-value of {@code wins} of {@code pairs} at a fixed sample size: P(Bin(pairs, 1/2) >= wins). */
    public static double signTestP(int pairs, int wins) {
        double[] d = advance(new double[] {1.0}, pairs, 0.5);
        double p = 0;
        for (int w = Math.max(0, wins); w < d.length; w++) {
            p += d[w];
        }
        return Math.min(1.0, p);
    }

    private static double spent(double total, double t) {
        return total * Math.log(1 + (Math.E - 1) * Math.min(1.0, t));
    }

    private int[] efficacyBoundaries() {
        int[] boundaries = new int[looks.length];
        double[] alive = {1.0};
        int n = 0;
        double crossed = 0;
        for (int k = 0; k < looks.length; k++) {
            alive = advance(alive, looks[k] - n, 0.5);
            n = looks[k];
            double budget = spent(alpha, (double) n / maxPairs()) - crossed;
            int c = n + 1;
            double tail = 0;
            for (int w = n; w >= 0; w--) {
                if (tail + alive[w] > budget * (1 + 1e-12)) {
                    break;
                }
                tail += alive[w];
                c = w;
            }
            boundaries[k] = c;
            crossed += tail;
            for (int w = c; w <= n; w++) {
                alive[w] = 0;
            }
        }
        return boundaries;
    }

    private int[] futilityBoundaries() {
        int[] boundaries = new int[looks.length];
        double[] alive = {1.0};
        int n = 0;
        double stopped = 0;
        for (int k = 0; k < looks.length; k++) {
            alive = advance(alive, looks[k] - n, winShare);
            n = looks[k];
            int f;
            if (k == looks.length - 1) {
                f = passAt[k] - 1;
            } else {
                double budget = spent(beta, (double) n / maxPairs()) - stopped;
                f = -1;
                double tail = 0;
                for (int w = 0; w < passAt[k] && w <= n; w++) {
                    if (tail + alive[w] > budget * (1 + 1e-12)) {
                        break;
                    }
                    tail += alive[w];
                    f = w;
                }
                stopped += tail;
            }
            boundaries[k] = f;
            for (int w = 0; w <= n; w++) {
                if (w <= f || w >= passAt[k]) {
                    alive[w] = 0;
                }
            }
        }
        return boundaries;
    }

    /** The distribution of wins after {@code more} further pairs, each winning with probability {@code p}. */
    private static double[] advance(double[] distribution, int more, double p) {
        double[] d = distribution;
        for (int i = 0; i < more; i++) {
            double[] next = new double[d.length + 1];
            for (int w = 0; w < d.length; w++) {
                next[w] += d[w] * (1 - p);
                next[w + 1] += d[w] * p;
            }
            d = next;
        }
        return d;
    }
}
