package io.fleetshell.engine.java;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.engine.score.AgentScore.Band;
import io.fleetshell.engine.score.AgentScore.Factors;
import io.fleetshell.engine.score.AgentScore.Recommendation;
import io.fleetshell.engine.score.AgentScore.Risk;
import io.fleetshell.engine.score.AgentScore.StatementAssessment;
import io.fleetshell.engine.score.AgentScore.Status;
import io.fleetshell.engine.score.ScoreScale;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scores a Java agent with the same four factors and bands as a Python agent. The unit is a heavy
 * initializer instead of an import statement, and the measurements come from the Java profiler:
 * start to healthy is the load, and each static field a holder can defer has its class-initialization
 * cost measured on its own.
 * <ul>
 *   <li>start-up impact 0-4: half from the share of start to healthy the deferrable static fields take,
 *       half from their time on a log scale (2 ms 0, 500 ms full);</li>
 *   <li>heavy dependencies 0-3: the costliest deferrable field (1 ms 0, 300 ms full);</li>
 *   <li>memory 0-2: RSS growth measured while those fields initialized (50 MiB full);</li>
 *   <li>initialization complexity 0-1: heavy initializers of any kind, 0.5 each.</li>
 * </ul>
 * Instance fields a memoized supplier can defer are recommended but not measured here (the proof
 * measures them); the predicted gain counts the measured static fields only. Its figures are start to healthy
 * ({@link AgentScore.Measure#START_TO_HEALTHY}), never added to Python module loads. Risk: one point per heavy
 * initializer read before start-up ends (at most two), one for a rewrite of more than five members.
 */
public final class JavaScorer {

    private JavaScorer() {
    }

    public static AgentScore score(Agent agent, JavaFacts facts, AgentProfile profile, int baselineVersion, String baselineNote) {
        Optional<AgentScore> unscorable = AgentScore.unscorable(agent, facts != null);
        if (unscorable.isPresent()) {
            return unscorable.get();
        }
        if (!facts.parsed()) {
            return AgentScore.notOptimizable(agent.id(), "%s:%d:%d: %s (never modified)".formatted(agent.script().path(),
                    facts.error().line(), facts.error().column(), facts.error().message()), new AgentScore.Error(facts.error().kind().toString(),
                    agent.script().path().toString(), facts.error().line(), facts.error().column(), facts.error().message()));
        }
        if (profile != null && !profile.loaded()) {
            io.fleetshell.engine.profile.LoadSample.LoadError failure = profile.failure()
                    .orElse(new io.fleetshell.engine.profile.LoadSample.LoadError("Error", "", null));
            return AgentScore.notOptimizable(agent.id(), "fails to start: " + failure + " (a rewrite could not be proven)",
                    new AgentScore.Error("load", agent.script().path().toString(), failure.line(), null, failure.type() + ": " + failure.message()));
        }
        List<String> reasons = new ArrayList<>();
        if (profile == null) {
            reasons.add(baselineNote != null ? baselineNote
                    : "no baseline: scored from static facts only; profile " + agent.name() + " to measure");
        }
        Map<Integer, AgentProfile.StatementMedian> measured = new HashMap<>();
        if (profile != null) {
            profile.statements().forEach(s -> measured.put(s.line(), s));
        }
        List<StatementAssessment> statements = new ArrayList<>();
        List<HeavyInitializer> holders = new ArrayList<>();
        List<HeavyInitializer> memoized = new ArrayList<>();
        int traps = 0;
        for (HeavyInitializer h : facts.initializers()) {
            AgentProfile.StatementMedian cost = measured.get(h.line());
            String text = h.kind() + " " + (h.field() == null ? h.owner() : h.label());
            if (h.deferrable()) {
                (h.kind() == HeavyInitializer.Kind.STATIC_FIELD ? holders : memoized).add(h);
                statements.add(new StatementAssessment(h.line(), text, "deferrable", "%s %s; read only after start-up (%d read%s)"
                        .formatted(h.label(), h.calls().getFirst().describe(), h.uses().size(), h.uses().size() == 1 ? "" : "s"),
                        cost == null ? null : ScoreScale.round(cost.millis()), cost == null ? null : ScoreScale.round(cost.rssKb())));
            } else {
                boolean early = h.uses().stream().anyMatch(u -> u.phase() != HeavyInitializer.Phase.RUNTIME);
                traps += early ? 1 : 0;
                String reason = "%s %s; stays eager: %s".formatted(h.label(), h.calls().getFirst().describe(), String.join("; ", h.blockers()));
                if (early) {
                    reasons.add(reason);
                }
                statements.add(new StatementAssessment(h.line(), text, "eager", reason, null, null));
            }
        }
        facts.unusedImports().forEach(u -> statements.add(new StatementAssessment(u.imported().line(), "import " + u.imported().text(),
                u.keptBecause() == null ? "unused" : "eager",
                u.keptBecause() == null ? "nothing in the file refers to " + u.imported().simpleName() : "kept: " + u.keptBecause(), null, null)));
        statements.sort(java.util.Comparator.comparingInt(StatementAssessment::line));

        List<Recommendation> recommendations = new ArrayList<>();
        double init = Math.min(1, 0.5 * facts.initializers().size());
        facts.initializers().forEach(h -> reasons.add("line %d: %s %s %s while %s".formatted(h.line(), h.kind(),
                h.field() == null ? h.owner() : h.label(), h.calls().getFirst().describe(),
                h.kind() == HeavyInitializer.Kind.INSTANCE_FIELD ? "the object is built" : "the class initializes")));
        Factors factors;
        Double gain = null;
        Double load = null;
        if (profile != null) {
            load = ScoreScale.round(profile.loadMillis().median());
            double removed = holders.stream().map(h -> measured.get(h.line())).filter(java.util.Objects::nonNull)
                    .mapToDouble(AgentProfile.StatementMedian::millis).sum();
            double heaviest = holders.stream().map(h -> measured.get(h.line())).filter(java.util.Objects::nonNull)
                    .mapToDouble(AgentProfile.StatementMedian::millis).max().orElse(0);
            double rss = holders.stream().map(h -> measured.get(h.line())).filter(java.util.Objects::nonNull)
                    .mapToDouble(AgentProfile.StatementMedian::rssKb).sum();
            // Medians of single fields do not add up to the median of the whole start: never a part larger than the whole.
            removed = Math.min(removed, load);
            double share = load <= 0 ? 0 : Math.min(1, removed / load);
            gain = ScoreScale.round(removed);
            if (!holders.isEmpty()) {
                recommendations.add(new Recommendation(HoldStaticFieldLazily.ID, "%s, %.1f ms of %.1f ms start to healthy"
                        .formatted(count(holders.size(), "static field"), removed, load)));
            }
            factors = new Factors(ScoreScale.round(2 * share + 2 * ScoreScale.logScale(removed, 2, ScoreScale.FULL_IMPACT_MS)),
                    ScoreScale.round(3 * ScoreScale.logScale(heaviest, 1, ScoreScale.FULL_HEAVY_MS)),
                    ScoreScale.round(2 * Math.min(1, rss / ScoreScale.FULL_MEMORY_KB)), ScoreScale.round(init));
        } else {
            int deferrable = holders.size() + memoized.size();
            double share = facts.initializers().isEmpty() ? 0 : (double) deferrable / facts.initializers().size();
            if (!holders.isEmpty()) {
                recommendations.add(new Recommendation(HoldStaticFieldLazily.ID, "%s (not measured)".formatted(count(holders.size(), "static field"))));
            }
            factors = new Factors(ScoreScale.round(2 * share), 0, 0, ScoreScale.round(init));
        }
        if (!memoized.isEmpty()) {
            recommendations.add(new Recommendation(MemoizeHeavyField.ID, "%s (%s), gain measured by the proof"
                    .formatted(count(memoized.size(), "instance field"), String.join(", ", memoized.stream().map(HeavyInitializer::field).toList()))));
        }
        if (!facts.removableImports().isEmpty()) {
            recommendations.add(new Recommendation(RemoveUnusedJavaImports.ID, "%s (%s), no run-time cost".formatted(
                    count(facts.removableImports().size(), "unused import"),
                    String.join(", ", facts.removableImports().stream().map(u -> u.imported().simpleName()).toList()))));
        }
        double score = ScoreScale.round(factors.total());
        Band band = Band.of(score);
        int rewritten = holders.size() + memoized.size() + facts.removableImports().size();
        Risk risk = Risk.of(Math.min(2, traps) + (rewritten > Risk.MANY_STATEMENTS ? 1 : 0));
        boolean gains = !holders.isEmpty() || !memoized.isEmpty();
        if (!gains) {
            reasons.addFirst("nothing to gain at start-up: no heavy initializer can be deferred");
        }
        return new AgentScore(agent.id(), gains ? Status.OPTIMIZABLE : Status.NOTHING_TO_GAIN, score, band, risk, factors,
                load, gain, profile == null ? 0 : baselineVersion, recommendations, reasons, statements, AgentScore.Measure.START_TO_HEALTHY, null);
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
