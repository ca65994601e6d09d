package io.fleetshell.engine.stats;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TwoProportionsTest {

    @Test
    void matchesTheTextbookPooledZTest() {
        // 30/200 against 15/200: pooled p = 0.1125, se = sqrt(0.1125 * 0.8875 * 0.01) = 0.031597, z = 2.3736
        TwoProportions t = TwoProportions.greaterThan(30, 200, 15, 200);
        assertThat(t.z()).isCloseTo(2.3736, within(1e-3));
        assertThat(t.pValue()).isCloseTo(0.00881, within(2e-4));
        assertThat(t.significant(0.05)).isTrue();
        assertThat(TwoProportions.greaterThan(15, 200, 30, 200).significant(0.05)).isFalse();
    }

    @Test
    void noFailuresAnywhereIsNoEvidence() {
        TwoProportions t = TwoProportions.greaterThan(0, 50, 0, 40);
        assertThat(t.pValue()).isEqualTo(1.0);
        assertThat(t.z()).isZero();
        assertThatThrownBy(() -> TwoProportions.greaterThan(1, 0, 0, 10)).hasMessageContaining("at least one trial");
        assertThatThrownBy(() -> TwoProportions.greaterThan(11, 10, 0, 10)).hasMessageContaining("between 0 and the trials");
    }

    @Test
    void dataNeededSaysHowManyMoreSamplesAndHowMuchMoreTime() {
        assertThat(DataNeeded.check(5, 5, 5, Duration.ofMinutes(1))).isEmpty();
        DataNeeded needed = DataNeeded.check(8, 2, 5, Duration.ofSeconds(60)).orElseThrow();
        assertThat(needed.moreCurrent()).isEqualTo(3);
        assertThat(needed.moreTime()).isEqualTo(Duration.ofSeconds(90));
        assertThat(needed.describe("samples")).isEqualTo("insufficient data: need 3 more samples or 1m30s more time");
        assertThat(DataNeeded.check(1, 0, 5, Duration.ofSeconds(10)).orElseThrow().describe("samples"))
                .isEqualTo("insufficient data: need 5 more samples (none yet since the change); the baseline needs 4 more samples");
    }
}
