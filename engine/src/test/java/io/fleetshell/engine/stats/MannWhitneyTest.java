package io.fleetshell.engine.stats;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MannWhitneyTest {

    @Test
    void completeSeparationHasTheSmallestExactPValue() {
        RankTest less = MannWhitney.lessThan(new double[] {1, 2, 3, 4, 5}, new double[] {6, 7, 8, 9, 10});
        assertThat(less.exact()).isTrue();
        assertThat(less.u()).isZero();
        assertThat(less.pValue()).isCloseTo(1.0 / 252, within(1e-12));
        assertThat(MannWhitney.twoSided(new double[] {1, 2, 3, 4, 5}, new double[] {6, 7, 8, 9, 10}).pValue())
                .isCloseTo(2.0 / 252, within(1e-12));
        assertThat(MannWhitney.greaterThan(new double[] {1, 2, 3, 4, 5}, new double[] {6, 7, 8, 9, 10}).pValue())
                .isCloseTo(1.0, within(1e-12));
    }

    @Test
    void exactDistributionMatchesCountingEveryArrangement() {
        double[] candidate = {3.1, 0.4, 7.7, 2.2, 9.0, 5.5};
        double[] reference = {4.0, 8.8, 6.1, 1.3, 7.2};
        double[] pooled = {3.1, 0.4, 7.7, 2.2, 9.0, 5.5, 4.0, 8.8, 6.1, 1.3, 7.2};
        double observed = u(candidate, reference);
        int atMost = 0;
        int total = 0;
        for (int mask = 0; mask < 1 << pooled.length; mask++) {
            if (Integer.bitCount(mask) != candidate.length) {
                continue;
            }
            double[] a = new double[candidate.length];
            double[] b = new double[reference.length];
            for (int i = 0, ia = 0, ib = 0; i < pooled.length; i++) {
                if ((mask & 1 << i) != 0) {
                    a[ia++] = pooled[i];
                } else {
                    b[ib++] = pooled[i];
                }
            }
            total++;
            if (u(a, b) <= observed) {
                atMost++;
            }
        }
        RankTest test = MannWhitney.lessThan(candidate, reference);
        assertThat(test.u()).isEqualTo(observed);
        assertThat(test.pValue()).isCloseTo((double) atMost / total, within(1e-12));
    }

    @Test
    void tiesUseTheCorrectedNormalApproximationWhichAgreesWithAPermutationTest() {
        Random random = new Random(42);
        double[] candidate = new double[14];
        double[] reference = new double[14];
        for (int i = 0; i < 14; i++) {
            candidate[i] = Math.round(random.nextGaussian() * 3); // integers: many ties
            reference[i] = Math.round(random.nextGaussian() * 3 + 2);
        }
        RankTest test = MannWhitney.lessThan(candidate, reference);
        assertThat(test.exact()).isFalse();
        double permutation = permutationP(candidate, reference, random);
        assertThat(test.pValue()).isCloseTo(permutation, within(0.01));
        assertThat(test.significant(0.05)).isTrue();
    }

    @Test
    void largeSamplesFromOneDistributionAreNotSignificant() {
        Random random = new Random(7);
        double[] a = random.doubles(60).toArray();
        double[] b = random.doubles(60).toArray();
        RankTest test = MannWhitney.twoSided(a, b);
        assertThat(test.exact()).isFalse();
        assertThat(test.pValue()).isGreaterThan(0.05);
    }

    @Test
    void thePValueReadsAsABoundWhenItWouldRoundToZero() {
        assertThat(MannWhitney.lessThan(new double[] {1, 2, 3, 4, 5}, new double[] {6, 7, 8, 9, 10}).p()).isEqualTo("p = 0.0040");
        double[] fast = java.util.stream.IntStream.range(0, 20).asDoubleStream().toArray();
        double[] slow = java.util.stream.IntStream.range(100, 120).asDoubleStream().toArray();
        assertThat(MannWhitney.lessThan(fast, slow).p()).isEqualTo("p < 0.0001");
    }

    @Test
    void identicalValuesGiveNoEvidence() {
        assertThat(MannWhitney.lessThan(new double[] {2, 2, 2}, new double[] {2, 2}).pValue()).isEqualTo(1.0);
    }

    @Test
    void minimumSamplesPerSideIsWhereCompleteSeparationBecomesSignificant() {
        assertThat(MannWhitney.minimumPerSide(0.05)).isEqualTo(4);   // 1/C(6,3) = 0.05 is not < 0.05; 1/C(8,4) = 0.014 is
        assertThat(MannWhitney.minimumPerSide(0.01)).isEqualTo(5);   // 1/C(10,5) = 0.004
    }

    @Test
    void normalDistributionFunction() {
        assertThat(Normal.cdf(1.959963984540054)).isCloseTo(0.975, within(1e-12));
        assertThat(Normal.cdf(-3)).isCloseTo(0.0013498980316301, within(1e-13));
        assertThat(Normal.cdf(4)).isCloseTo(0.9999683287581669, within(1e-13));
        assertThat(Normal.cdf(0)).isCloseTo(0.5, within(1e-15));
    }

    @Test
    void refusesEmptySamplesAndNaN() {
        assertThatThrownBy(() -> MannWhitney.lessThan(new double[0], new double[] {1}))
                .hasMessageContaining("at least one value");
        assertThatThrownBy(() -> MannWhitney.lessThan(new double[] {Double.NaN}, new double[] {1}))
                .hasMessageContaining("NaN");
    }

    private static double u(double[] a, double[] b) {
        double u = 0;
        for (double x : a) {
            for (double y : b) {
                u += x > y ? 1 : x == y ? 0.5 : 0;
            }
        }
        return u;
    }

    private static double permutationP(double[] a, double[] b, Random random) {
        double observed = u(a, b);
        double[] pooled = new double[a.length + b.length];
        System.arraycopy(a, 0, pooled, 0, a.length);
        System.arraycopy(b, 0, pooled, a.length, b.length);
        int rounds = 200_000;
        int atMost = 0;
        double[] x = new double[a.length];
        double[] y = new double[b.length];
        for (int r = 0; r < rounds; r++) {
            for (int i = pooled.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                double t = pooled[i];
                pooled[i] = pooled[j];
                pooled[j] = t;
            }
            System.arraycopy(pooled, 0, x, 0, a.length);
            System.arraycopy(pooled, a.length, y, 0, b.length);
            if (u(x, y) <= observed) {
                atMost++;
            }
        }
        return (double) atMost / rounds;
    }
}
