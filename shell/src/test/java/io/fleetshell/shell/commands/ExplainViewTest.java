package io.fleetshell.shell.commands;

import io.fleetshell.engine.rollout.Decision;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ExplainViewTest {

    @Test
    void oneVocabularyForProofsAndGates() {
        assertThat(ExplainView.word(Decision.Verdict.PASSED)).isEqualTo(ExplainView.word(Decision.Verdict.PASS)).isEqualTo("PASS");
        assertThat(ExplainView.word(Decision.Verdict.FAILED)).isEqualTo(ExplainView.word(Decision.Verdict.FAIL)).isEqualTo("FAIL");
        assertThat(ExplainView.word(Decision.Verdict.HOLD)).isEqualTo("HOLD");
    }

    @Test
    void evidenceIsCompactRoundedAndPValuesReadAsSuch() {
        assertThat(ExplainView.compact("before_ms", List.of(130.585, 125.47, 99.53))).isEqualTo("131 125 99.5");
        assertThat(ExplainView.compact("samples", List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0)))
                .isEqualTo("10 samples, 1 .. 10, median 5.5");
        assertThat(ExplainView.compact("p", 0.003968253968253968)).isEqualTo("p = 0.0040");
        assertThat(ExplainView.compact("p", 0.31)).isEqualTo("p = 0.31");
        assertThat(ExplainView.compact("p", 0.00000012)).isEqualTo("p < 0.0001");
        assertThat(ExplainView.compact("millis", 11.775984)).isEqualTo("11.8");
        assertThat(ExplainView.compact("failed_steps", List.of())).isEqualTo("none");
        assertThat(ExplainView.compact("output", "line one\nline two\n")).isEqualTo("line one (2 lines; --raw shows them)");
        Map<String, Object> current = new LinkedHashMap<>();
        current.put("window", Map.of("source", "since the change"));
        current.put("n", 12);
        current.put("p95", 41.04);
        current.put("sample_ids", List.of(1, 2));
        assertThat(ExplainView.compact("current", current)).isEqualTo("n 12, p95 41, window (source since the change)");
    }

    @Test
    void aComparisonSaysItsTestAndSamplesInTheVerdictLine() {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("measure", "request latency ms");
        evidence.put("thresholds", Map.of("significance", 0.05));
        evidence.put("test_worse", Map.of("method", "Mann-Whitney U (normal approximation)", "n1", 12, "n2", 12, "p", 0.31));
        evidence.put("test_better", Map.of("method", "Mann-Whitney U (normal approximation)", "n1", 12, "n2", 12, "p", 0.69));
        Decision pass = new Decision(Decision.GATE, "p95 latency", Decision.Verdict.PASS, "no significant change",
                "request latency ms p95 44.0 -> 41.0 (+6.8%)", evidence, Instant.now());
        assertThat(ExplainView.why(pass)).isEqualTo("request latency ms p95 44.0 -> 41.0 (+6.8%), Mann-Whitney p = 0.69 "
                + "(not significantly better at alpha 0.05), 12 vs 12 samples");
        Decision hold = new Decision(Decision.GATE, "p95 latency", Decision.Verdict.HOLD, "not significant",
                "possibly worse", evidence, Instant.now());
        assertThat(ExplainView.why(hold)).contains("Mann-Whitney p = 0.31 (not significantly worse at alpha 0.05)");
    }
}
