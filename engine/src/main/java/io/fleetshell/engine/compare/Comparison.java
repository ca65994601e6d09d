package io.fleetshell.engine.compare;

import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.stats.DataNeeded;
import io.fleetshell.engine.stats.MannWhitney;
import io.fleetshell.engine.stats.RankTest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Compares a measure where lower is better (time-to-healthy, latency, memory) in the current window with the
 * baseline window. The change is {@code (baseline - current) / baseline} of the chosen statistic, positive
 * when the agent got better. The verdict rests on a Mann-Whitney U test of the raw samples:
 * <ul>
 *   <li>fewer than the minimum samples on a side: HOLD, saying what is missing;</li>
 *   <li>change at or below the regression alert and significantly worse: FAIL;</li>
 *   <li>change at or below the regression alert but not significant: HOLD (more samples will tell);</li>
 *   <li>otherwise PASS, with the improvement level reached (target, minimum, below minimum, none).</li>
 * </ul>
 */
public final class Comparison {

    /** Which statistic the change is computed on. */
    public enum Statistic {
        P50(0.5, "p50"), P95(0.95, "p95");

        final double q;
        final String label;

        Statistic(double q, String label) {
            this.q = q;
            this.label = label;
        }
    }

    private Comparison() {
    }

    /**
     * @param gate     the gate's name, e.g. {@code time-to-healthy}
     * @param measure  what the values are, with their unit, e.g. {@code time-to-healthy ms}
     */
    public static GateDecision lowerIsBetter(String gate, String measure, Statistic statistic, Series baseline, Series current,
                                             Thresholds thresholds) {
        return lowerIsBetter(gate, measure, statistic, baseline, current, thresholds, 0, 0);
    }

    /**
     * As {@link #lowerIsBetter(String, String, Statistic, Series, Series, Thresholds)}, a regression also having to
     * exceed the larger of {@code tolerance} (in the measure's unit) and {@code relativeTolerance} of the baseline's
     * statistic: a rise within it passes as noise, however significant (the allowed-change bounds of canary judges; a
     * JVM's start on a busy machine moves by seconds between two windows).
     */
    public static GateDecision lowerIsBetter(String gate, String measure, Statistic statistic, Series baseline, Series current,
                                             Thresholds thresholds, double absoluteTolerance, double relativeTolerance) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("measure", measure);
        evidence.put("statistic", statistic.label);
        evidence.put("baseline", baseline.asEvidence());
        evidence.put("current", current.asEvidence());
        evidence.put("thresholds", thresholds.asEvidence());
        Optional<DataNeeded> needed = DataNeeded.check(baseline.size(), current.size(), thresholds.minimumSamples(), current.window().span());
        if (needed.isPresent()) {
            String why = needed.get().describe("samples");
            evidence.put("insufficient", JsonMap.of("need_current", needed.get().moreCurrent(), "need_baseline", needed.get().moreBaseline(),
                    "need_time_seconds", needed.get().moreTime() == null ? null : needed.get().moreTime().toSeconds()));
            return new GateDecision(gate, GateDecision.Verdict.HOLD, "fewer than %d samples per side".formatted(thresholds.minimumSamples()),
                    "%s: %s".formatted(measure, why), evidence);
        }
        double before = baseline.quantile(statistic.q);
        double after = current.quantile(statistic.q);
        double change = before == 0 ? 0 : (before - after) / before;
        RankTest worse = MannWhitney.greaterThan(current.values(), baseline.values());
        RankTest better = MannWhitney.lessThan(current.values(), baseline.values());
        evidence.put("change", change);
        evidence.put("test_worse", test(worse));
        evidence.put("test_better", test(better));
        // The value's own direction in words: "change" is an improvement fraction (positive = better), which
        // printed as "+27%" beside a value that fell reads backwards.
        String moved = after == before || before == 0 ? "no change"
                : "%.1f%% %s".formatted(Math.abs(after - before) / before * 100, after > before ? "higher" : "lower");
        String shown = "%s %s %.1f -> %.1f (%s)".formatted(measure, statistic.label, before, after, moved);
        double alpha = thresholds.alpha();
        double tolerance = Math.max(absoluteTolerance, relativeTolerance * before);
        if (tolerance > 0) {
            evidence.put("tolerance", tolerance);
            evidence.put("tolerance_rule", "max(%.1f, %.0f%% of the baseline %s %.1f)".formatted(absoluteTolerance, relativeTolerance * 100,
                    statistic.label, before));
        }
        if (change <= thresholds.regressionAlert() && after - before <= tolerance) {
            evidence.put("improvement", "none");
            return new GateDecision(gate, GateDecision.Verdict.PASS, "%s rise %.1f <= tolerance %.1f: not a regression (change %s, worse p=%.4f)"
                    .formatted(statistic.label, after - before, tolerance, Thresholds.percent(change), worse.pValue()),
                    shown + ", within tolerance", evidence);
        }
        if (change <= thresholds.regressionAlert()) {
            if (worse.significant(alpha)) {
                return new GateDecision(gate, GateDecision.Verdict.FAIL, "%s change %s <= regression alert %s (%s p=%.4f < %.2f)".formatted(
                        statistic.label, Thresholds.percent(change), Thresholds.percent(thresholds.regressionAlert()), "Mann-Whitney",
                        worse.pValue(), alpha), "regression: " + shown, evidence);
            }
            return new GateDecision(gate, GateDecision.Verdict.HOLD, "%s change %s <= regression alert %s but not significant (p=%.4f >= %.2f)"
                    .formatted(statistic.label, Thresholds.percent(change), Thresholds.percent(thresholds.regressionAlert()),
                            worse.pValue(), alpha), "possibly worse, not yet significant: " + shown + "; more samples will tell", evidence);
        }
        String level;
        if (better.significant(alpha) && change >= thresholds.targetImprovement()) {
            level = "target";
        } else if (better.significant(alpha) && change >= thresholds.minimumImprovement()) {
            level = "minimum";
        } else if (better.significant(alpha) && change > 0) {
            level = "below_minimum";
        } else {
            level = "none";
        }
        evidence.put("improvement", level);
        String rule = switch (level) {
            case "target" -> "improved %s >= target %s (p=%.4f)".formatted(Thresholds.percent(change),
                    Thresholds.percent(thresholds.targetImprovement()), better.pValue());
            case "minimum" -> "improved %s >= minimum %s, below target %s (p=%.4f)".formatted(Thresholds.percent(change),
                    Thresholds.percent(thresholds.minimumImprovement()), Thresholds.percent(thresholds.targetImprovement()), better.pValue());
            case "below_minimum" -> "improved %s, below minimum %s (p=%.4f)".formatted(Thresholds.percent(change),
                    Thresholds.percent(thresholds.minimumImprovement()), better.pValue());
            default -> "no significant change (worse p=%.4f, better p=%.4f); above regression alert %s".formatted(worse.pValue(),
                    better.pValue(), Thresholds.percent(thresholds.regressionAlert()));
        };
        return new GateDecision(gate, GateDecision.Verdict.PASS, rule, shown, evidence);
    }

    static Map<String, Object> test(RankTest t) {
        return JsonMap.of("method", t.method(), "n1", t.n1(), "n2", t.n2(), "u", t.u(), "z", t.z(), "p", t.pValue());
    }
}
