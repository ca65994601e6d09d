package io.fleetshell.engine.stats;

import io.fleetshell.engine.proof.EffectFloor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The load-time proof's statistics (issue 16 item 9), checked without timing anything: the exact error rates of the
 * design, then its false-positive and false-negative rates by simulation with seeded synthetic CPU times of a busy
 * machine, run through the same win rule and the same design as {@code Prover}.
 */
class SequentialSignTestTest {

    private static final double ALPHA = 0.05;
    private static final int PROOFS = 4000;

    @Test
    void theExactFalsePositiveRateAtTheNullIsAtMostAlphaAndThePowerAtTheAlternativeIsHigh() {
        for (int first : List.of(4, 5, 8, 11, 20)) {
            SequentialSignTest design = SequentialSignTest.forProofs(ALPHA, first);
            assertThat(design.passProbability(0.5)).as("first look %d", first).isLessThanOrEqualTo(ALPHA);
            assertThat(design.passProbability(0.4)).isLessThan(design.passProbability(0.5));
        }
        SequentialSignTest standard = SequentialSignTest.forProofs(ALPHA, 11);
        assertThat(standard.looks()).containsExactly(7, 11, 17, 22, 33, 44);
        System.out.printf("pass boundaries %s, fail boundaries %s%n", standard.passBoundaries(), standard.failBoundaries());
        assertThat(standard.passProbability(0.8)).as("1 - beta").isGreaterThan(0.9);
        assertThat(standard.passProbability(0.95)).isGreaterThan(0.999);
    }

    @Test
    void aClearResultIsDecidedAtTheFirstLookAndABorderlineOneTakesMorePairs() {
        SequentialSignTest design = SequentialSignTest.forProofs(ALPHA, 11);
        assertThat(design.decide(7, 7)).as("the early look: every pair won").isEqualTo(SequentialSignTest.Verdict.PASS);
        assertThat(design.decide(7, 6)).isEqualTo(SequentialSignTest.Verdict.CONTINUE);
        assertThat(design.decide(11, 11)).isEqualTo(SequentialSignTest.Verdict.PASS);
        assertThat(design.decide(11, 0)).isEqualTo(SequentialSignTest.Verdict.FAIL);
        assertThat(design.decide(11, 7)).isEqualTo(SequentialSignTest.Verdict.CONTINUE);
        assertThat(design.decide(12, 12)).as("between looks").isEqualTo(SequentialSignTest.Verdict.CONTINUE);
        int last = design.passBoundaries().getLast();
        assertThat(design.decide(44, last)).isEqualTo(SequentialSignTest.Verdict.PASS);
        assertThat(design.decide(44, last - 1)).as("the last look decides").isEqualTo(SequentialSignTest.Verdict.FAIL);
        assertThatThrownBy(() -> design.decide(45, 45)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFixedSampleSignTestPValueIsTheExactBinomialTail() {
        assertThat(SequentialSignTest.signTestP(8, 8)).isEqualTo(1.0 / 256);
        assertThat(SequentialSignTest.signTestP(8, 7)).isEqualTo(9.0 / 256);
        assertThat(SequentialSignTest.signTestP(8, 0)).isEqualTo(1.0);
    }

    @Test
    void simulatedFalsePositiveRatesStayWithinAlphaOnABusyMachine() {
        // exactly at the floor (3 % of 100 ms): the hardest null case, a win is a coin toss
        double atFloor = passRate(100, 0.03, 11, 1);
        // no gain at all, and a 2 % gain below the floor
        double none = passRate(100, 0.0, 11, 2);
        double belowFloor = passRate(100, 0.02, 11, 3);
        // a small agent: 1.5 ms of 20 ms is 7.5 %, but below the 2 ms floor
        double smallBelowFloor = passRate(20, 0.075, 11, 4);
        System.out.printf("false positives: at the floor %.4f, no gain %.4f, 2 %% gain %.4f, 1.5 of 20 ms %.4f (alpha %.2f, %d proofs each)%n",
                atFloor, none, belowFloor, smallBelowFloor, ALPHA, PROOFS);
        double margin = 3 * Math.sqrt(ALPHA * (1 - ALPHA) / PROOFS);
        assertThat(atFloor).isLessThanOrEqualTo(ALPHA + margin);
        assertThat(none).isLessThan(0.001);
        assertThat(belowFloor).isLessThan(ALPHA);
        assertThat(smallBelowFloor).isLessThan(ALPHA + margin);
    }

    @Test
    void simulatedFalseNegativeRatesOfRealGainsAreLowOnABusyMachine() {
        // issue 16: a real ~14 % gain was refused three times; a 37 % lower median failed once
        double fourteen = 1 - passRate(1083, 0.14, 11, 5);
        double thirtySeven = 1 - passRate(300, 0.37, 11, 6);
        double tenOfFifty = 1 - passRate(50, 0.20, 11, 7);
        double fewestRuns = 1 - passRate(1083, 0.14, 4, 8);
        System.out.printf("false negatives: 14 %% of 1083 ms %.4f, 37 %% of 300 ms %.4f, 10 of 50 ms %.4f, 14 %% with --runs 4 %.4f (%d proofs each)%n",
                fourteen, thirtySeven, tenOfFifty, fewestRuns, PROOFS);
        assertThat(fourteen).isLessThan(0.01);
        assertThat(thirtySeven).isLessThan(0.001);
        assertThat(tenOfFifty).isLessThan(0.01);
        assertThat(fewestRuns).isLessThan(0.05);
    }

    @Test
    void theVerdictOfTheSameRewriteDoesNotFlipFromOneBusyRunToTheNext() {
        // the same 14 % gain proved 200 times in a row on the seeded busy machine: one verdict every time
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < 200; i++) {
            assertThat(prove(random, 1083, 0.14, SequentialSignTest.forProofs(ALPHA, 11))).isTrue();
        }
    }

    /** The share of {@link #PROOFS} simulated proofs that pass. */
    private static double passRate(double baseMillis, double gain, int first, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        SequentialSignTest design = SequentialSignTest.forProofs(ALPHA, first);
        int passed = 0;
        for (int i = 0; i < PROOFS; i++) {
            if (prove(random, baseMillis, gain, design)) {
                passed++;
            }
        }
        return (double) passed / PROOFS;
    }

    /** One proof as the Prover runs it, on synthetic CPU times: pairs until the design decides. */
    private static boolean prove(SplittableRandom random, double baseMillis, double gain, SequentialSignTest design) {
        EffectFloor floor = EffectFloor.DEFAULT;
        int wins = 0;
        for (int pair = 1; ; pair++) {
            double original = busyCpuMillis(random, baseMillis);
            double rewritten = busyCpuMillis(random, baseMillis * (1 - gain));
            if (rewritten < original - floor.threshold(original)) {
                wins++;
            }
            SequentialSignTest.Verdict verdict = design.decide(pair, wins);
            if (verdict != SequentialSignTest.Verdict.CONTINUE) {
                return verdict == SequentialSignTest.Verdict.PASS;
            }
        }
    }

    /**
     * The CPU time of one load on a busy machine (2 cores, load average 6-8, as measured for issue 22): a few per cent
     * of noise, and one load in ten slowed by 5-30 % (caches and frequency shared with the other processes).
     */
    private static double busyCpuMillis(SplittableRandom random, double millis) {
        double noise = 1 + 0.03 * gaussian(random);
        if (random.nextDouble() < 0.1) {
            noise *= 1.05 + 0.25 * random.nextDouble();
        }
        return millis * Math.max(0.5, noise);
    }

    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
