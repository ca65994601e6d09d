package io.fleetshell.engine.gate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a gate decided and everything needed to see why: the raw values, the baseline, the statistic,
 * the threshold and the rule that fired. {@code explain} prints it as stored.
 *
 * @param gate     the gate's name
 * @param verdict  pass, fail, or hold (insufficient data or not evaluable: never a silent pass)
 * @param rule     the rule that fired, e.g. {@code p95 change -7.1% < regression alert -5% (Mann-Whitney p=0.003 < 0.05)}
 * @param summary  one sentence for the user; for a hold it says what is missing ("need 12 more samples or 2m more time")
 * @param evidence raw values, baseline, statistic and threshold (insertion-ordered, JSON-friendly)
 */
public record GateDecision(String gate, Verdict verdict, String rule, String summary, Map<String, Object> evidence) {

    public GateDecision {
        evidence = evidence == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
    }

    public enum Verdict { PASS, FAIL, HOLD }

    /**
     * The decision in one line for a list of them: {@code gate: summary}, or the summary alone where it already names
     * the gate (a comparison's summary names its measure: "regression: time-to-healthy ms p50 100.0 -> 130.5").
     */
    public String line() {
        return summary.contains(gate) ? summary : gate + ": " + summary;
    }

    /** A gate that cannot be evaluated holds and says why. */
    public static GateDecision cannotEvaluate(String gate, String why) {
        return new GateDecision(gate, Verdict.HOLD, "not evaluable", why, Map.of());
    }
}
