package io.fleetshell.engine.compare;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.gate.GateDecision;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ComparisonTest {

    private static final Instant T = Instant.parse("2026-11-03T10:00:00Z");
    private final Thresholds defaults = Thresholds.defaults();

    @Test
    void aSignificantSlowdownBeyondTheAlertFailsWithItsEvidence() {
        GateDecision d = compare(new double[] {100, 102, 98, 101, 99, 100}, new double[] {130, 128, 135, 131, 129, 133});
        assertThat(d.verdict()).isEqualTo(GateDecision.Verdict.FAIL);
        // The two 100s tie, so the normal approximation: z = (36 - 18 - 0.5) / sqrt(39) = 2.80, one-sided p = 0.0025.
        assertThat(d.rule()).isEqualTo("p50 change -30.5% <= regression alert -5.0% (Mann-Whitney p=0.0025 < 0.05)");
        assertThat(d.summary()).isEqualTo("regression: time-to-healthy ms p50 100.0 -> 130.5 (30.5% higher)");
        assertThat(d.line()).as("the gate named once").isEqualTo(d.summary());
        assertThat(GateDecision.cannotEvaluate("memory", "no RSS samples").line()).isEqualTo("memory: no RSS samples");
        @SuppressWarnings("unchecked")
        Map<String, Object> current = (Map<String, Object>) d.evidence().get("current");
        assertThat(current.get("sample_ids")).isEqualTo(List.of(11L, 12L, 13L, 14L, 15L, 16L));
        assertThat(current.get("values")).isEqualTo(List.of(130.0, 128.0, 135.0, 131.0, 129.0, 133.0));
    }

    @Test
    void improvementsAreGradedAgainstTargetAndMinimum() {
        GateDecision target = compare(new double[] {100, 102, 98, 101, 99}, new double[] {50, 52, 55, 49, 51});
        assertThat(target.verdict()).isEqualTo(GateDecision.Verdict.PASS);
        assertThat(target.evidence().get("improvement")).isEqualTo("target");
        GateDecision minimum = compare(new double[] {100, 102, 98, 101, 99}, new double[] {75, 72, 78, 74, 76});
        assertThat(minimum.evidence().get("improvement")).isEqualTo("minimum");
        GateDecision noise = compare(new double[] {100, 102, 98, 101, 99}, new double[] {101, 97, 103, 99, 100});
        assertThat(noise.verdict()).isEqualTo(GateDecision.Verdict.PASS);
        assertThat(noise.evidence().get("improvement")).isEqualTo("none");
        assertThat(noise.rule()).startsWith("no significant change");
    }

    @Test
    void aSlowdownThatIsNotSignificantHoldsAndThinDataHolds() {
        GateDecision unclear = compare(new double[] {100, 150, 90, 160, 95}, new double[] {140, 85, 170, 110, 150});
        assertThat(unclear.verdict()).isEqualTo(GateDecision.Verdict.HOLD);
        assertThat(unclear.rule()).contains("but not significant");

        GateDecision thin = compare(new double[] {100, 101, 99, 100, 100}, new double[] {300, 310});
        assertThat(thin.verdict()).isEqualTo(GateDecision.Verdict.HOLD);
        assertThat(thin.summary()).isEqualTo("time-to-healthy ms: insufficient data: need 3 more samples or 3m more time");
    }

    @Test
    void thresholdsComeFromSettingsWithClearErrors() {
        Thresholds t = Thresholds.from(Map.of("regression_alert", "-10%", "target_improvement", 0.5, "minimum_samples", 8,
                "max_response_time", "2s"), Path.of("settings.yaml"));
        assertThat(t.regressionAlert()).isEqualTo(-0.10);
        assertThat(t.targetImprovement()).isEqualTo(0.5);
        assertThat(t.minimumImprovement()).isEqualTo(0.20);
        assertThat(t.minimumSamples()).isEqualTo(8);
        assertThat(t.maxResponseTime()).isEqualTo(Duration.ofSeconds(2));
        assertThat(Thresholds.from(Map.of("minimum_samples", 1), Path.of("s.yaml")).minimumSamples())
                .as("never below what the rank test needs to reach p < 0.05").isEqualTo(4);
        assertThatThrownBy(() -> Thresholds.from(Map.of("regresion_alert", "-5%"), Path.of("s.yaml")))
                .isInstanceOf(FleetshellException.class).hasMessageContaining("s.yaml: thresholds: unknown key 'regresion_alert'")
                .extracting(e -> ((FleetshellException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        assertThatThrownBy(() -> Thresholds.from(Map.of("max_response_time", "soon"), Path.of("s.yaml")))
                .hasMessageContaining("'soon' is not a duration; write it like 500ms, 5s");
    }

    private GateDecision compare(double[] baseline, double[] current) {
        Window before = new Window(T.minusSeconds(600), T, "test baseline");
        Window after = new Window(T, T.plusSeconds(60 * current.length), "since the change");
        return Comparison.lowerIsBetter("time-to-healthy", "time-to-healthy ms", Comparison.Statistic.P50,
                new Series(before, "agent_starts", LongStream.rangeClosed(1, baseline.length).boxed().toList(), baseline),
                new Series(after, "agent_starts", LongStream.rangeClosed(11, 10 + current.length).boxed().toList(), current),
                defaults);
    }
}
