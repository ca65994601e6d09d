package io.fleetshell.engine.python;

import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.python.analysis.DeferrableImports;
import io.fleetshell.engine.python.pattern.DeferHeavyImports;
import io.fleetshell.engine.python.analysis.EagerReason;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.HeavyCall;
import io.fleetshell.engine.python.analysis.ImportFact;
import io.fleetshell.engine.python.analysis.ImportVerdict;
import io.fleetshell.engine.python.analysis.Use;
import io.fleetshell.engine.python.analysis.WorkFacts;
import io.fleetshell.engine.python.proof.ReplayRequests;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.Stats;
import io.fleetshell.engine.score.AgentScore.Band;
import io.fleetshell.engine.score.AgentScore.Factors;
import io.fleetshell.engine.score.AgentScore.Recommendation;
import io.fleetshell.engine.score.AgentScore.Risk;
import io.fleetshell.engine.score.AgentScore.StatementAssessment;
import io.fleetshell.engine.score.AgentScore.Status;
import io.fleetshell.engine.score.AgentScore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static io.fleetshell.engine.score.ScoreScale.FULL_HEAVY_MS;
import static io.fleetshell.engine.score.ScoreScale.FULL_IMPACT_MS;
import static io.fleetshell.engine.score.ScoreScale.FULL_MEMORY_KB;
import static io.fleetshell.engine.score.ScoreScale.logScale;
import static io.fleetshell.engine.score.ScoreScale.round;

/**
 * Scores one agent from its static facts and, when there is one, its measured baseline.
 * <ul>
 *   <li>start-up impact 0-4: half from the share of the load the deferrable imports take, half from
 *       their absolute time on a log scale (2 ms scores 0, 500 ms scores full);</li>
 *   <li>heavy dependencies 0-3: the costliest deferrable import on a log scale (1 ms 0, 300 ms full);</li>
 *   <li>memory 0-2: RSS growth measured while the deferrable imports ran (50 MiB scores full);</li>
 *   <li>initialization complexity 0-1: heavy calls made while the module loads (0.5 each).</li>
 * </ul>
 * Without a baseline, only the static share of deferrable imports and the heavy calls count, and
 * the reasons say so. The predicted gain is the measured time of the deferrable and unused
 * statements, less what later eager imports would load anyway, at most the whole load. Which statements
 * are deferrable is {@link DeferHeavyImports}' own decision, so that score and optimize agree; the risk is
 * counted apart from the score ({@link Risk}).
 */
public final class PythonScorer {

    /** Below this a measured gain is within the noise of one load (spreads of 1-3 ms are common). */
    static final double MIN_GAIN_MS = 1.0;

    private PythonScorer() {
    }

    /**
     * @param facts           the agent's static facts, or null when its script was not analyzed
     * @param profile         its latest baseline's profile, or null
     * @param baselineVersion that baseline's version, or 0
     * @param baselineNote    why no baseline is used although one exists (e.g. the script changed), or null
     */
    public static AgentScore score(Agent agent, FileFacts facts, AgentProfile profile, int baselineVersion, String baselineNote) {
        Optional<AgentScore> unscorable = AgentScore.unscorable(agent, facts != null);
        if (unscorable.isPresent()) {
            return unscorable.get();
        }
        if (!facts.parsed()) {
            return AgentScore.notOptimizable(agent.id(), "%s:%d: %s (never modified)".formatted(agent.script().path(),
                    facts.error().line(), facts.error().message()), new AgentScore.Error(facts.error().kind().toString(),
                    agent.script().path().toString(), facts.error().line(), facts.error().column(), facts.error().message()));
        }
        if (profile != null && !profile.loaded()) {
            LoadSample.LoadError failure = profile.failure().orElse(new LoadSample.LoadError("Error", "", null));
            return AgentScore.notOptimizable(agent.id(), "fails to load: " + failure + " (a rewrite could not be proven)",
                    new AgentScore.Error("load", agent.script().path().toString(), failure.line(), null, failure.type() + ": " + failure.message()));
        }
        return new Assessment(agent, facts, profile, baselineVersion, baselineNote).result();
    }

    /** The work for one scorable agent. */
    private static final class Assessment {
        private final Agent agent;
        private final FileFacts facts;
        private final AgentProfile profile;
        private final int baselineVersion;
        private final List<String> reasons = new ArrayList<>();
        private final Map<Integer, AgentProfile.StatementMedian> measured = new LinkedHashMap<>();
        private final List<StatementAssessment> statements = new ArrayList<>();
        private final List<Integer> deferrable = new ArrayList<>();
        private final List<Integer> unused = new ArrayList<>();
        private final List<Integer> eager = new ArrayList<>();
        private final List<Recommendation> recommendations = new ArrayList<>();
        private int traps;
        private boolean heavyAtImport;
        private Double gain;
        private Map<Integer, List<DeferHeavyImports.NameDecision>> lazyLoading;

        Assessment(Agent agent, FileFacts facts, AgentProfile profile, int baselineVersion, String baselineNote) {
            this.agent = agent;
            this.facts = facts;
            this.profile = profile;
            this.baselineVersion = profile == null ? 0 : baselineVersion;
            if (profile != null) {
                profile.statements().forEach(s -> measured.put(s.line(), s));
            } else {
                reasons.add(baselineNote != null ? baselineNote
                        : "no baseline: scored from static facts only; profile " + agent.name() + " to measure");
            }
        }

        AgentScore result() {
            assessStatements();
            double init = initComplexity();
            Factors factors = profile != null ? measuredFactors(init) : staticFactors(init);
            double score = round(factors.total());
            Band band = Band.of(score);
            int rewritten = deferrable.size() + unused.size();
            Risk risk = Risk.of(Math.min(2, traps) + (heavyAtImport ? 1 : 0) + (rewritten > Risk.MANY_STATEMENTS ? 1 : 0));
            double moved = recommendWork();
            if (moved > 0) {
                gain = round((gain == null ? 0 : gain) + moved);
            }
            boolean gains = !recommendations.isEmpty() && (gain == null || gain > 0
                    || recommendations.stream().anyMatch(r -> r.pattern().equals("cache_optimization")));
            if (!gains) {
                reasons.addFirst(profile == null
                        ? "not profiled: run `profile %s`; from static facts alone no import can be deferred or removed".formatted(agent.name())
                        : "nothing to gain: every import with a measured cost must stay as it is");
            } else if (risk != Risk.LOW) {
                List<String> why = new ArrayList<>();
                if (traps > 0) {
                    why.add("%d costly import%s kept eager by an import-time use or try/except".formatted(traps, traps == 1 ? "" : "s"));
                }
                if (heavyAtImport) {
                    why.add("heavy calls while the module loads");
                }
                if (rewritten > Risk.MANY_STATEMENTS) {
                    why.add(rewritten + " statements rewritten");
                }
                reasons.add("risk %s: %s".formatted(risk.name().toLowerCase(), String.join(", ", why)));
            }
            Double load = profile == null ? null : round(profile.loadMillis().median());
            return new AgentScore(agent.id(), gains ? Status.OPTIMIZABLE : Status.NOTHING_TO_GAIN, score, band, risk, factors,
                    load, gain, baselineVersion, gains ? recommendations : List.of(), reasons, statements);
        }

        /** One verdict per statement (all its names must agree to defer or drop it), with its measured cost. */
        private void assessStatements() {
            Map<Integer, List<ImportVerdict>> byStatement = DeferrableImports.classify(facts).stream()
                    .collect(Collectors.groupingBy(v -> v.fact().span().line(), LinkedHashMap::new, Collectors.toList()));
            byStatement.forEach((line, verdicts) -> {
                String text = verdicts.stream().map(v -> v.fact().text()).collect(Collectors.joining(", "));
                AgentProfile.StatementMedian cost = measured.get(line);
                String verdict;
                String reason;
                if (verdicts.stream().allMatch(v -> v instanceof ImportVerdict.Unused)) {
                    verdict = "unused";
                    unused.add(line);
                    reason = verdicts.getFirst().explain();
                } else if (verdicts.stream().allMatch(v -> v instanceof ImportVerdict.Deferrable || v instanceof ImportVerdict.Unused)) {
                    // lazy_loading's own decision, so that score never recommends what optimize then calls "nothing to defer"
                    List<DeferHeavyImports.NameDecision> names = lazyLoading().getOrDefault(line, List.of());
                    if (names.stream().anyMatch(n -> n.keptBecause() == null)) {
                        verdict = "deferrable";
                        deferrable.add(line);
                        reason = verdicts.stream().filter(v -> v instanceof ImportVerdict.Deferrable).findFirst().orElseThrow().explain();
                    } else {
                        verdict = "eager";
                        eager.add(line);
                        String kept = names.stream().map(DeferHeavyImports.NameDecision::keptBecause)
                                .filter(k -> k != null && !k.startsWith("it is never used")).findFirst().orElse("lazy_loading keeps it");
                        reason = "`%s` (line %d) stays eager: %s%s".formatted(text, line, kept,
                                profile == null && kept.contains("rule 4") ? "; profile the agent to find out whether it is a submodule" : "");
                    }
                } else if (verdicts.stream().allMatch(v -> v instanceof ImportVerdict.NotRuntime)) {
                    verdict = "not-runtime";
                    reason = verdicts.getFirst().explain();
                } else {
                    verdict = "eager";
                    eager.add(line);
                    ImportVerdict.MustStayEager first = verdicts.stream().filter(v -> v instanceof ImportVerdict.MustStayEager)
                            .map(v -> (ImportVerdict.MustStayEager) v).findFirst().orElseThrow();
                    reason = first.explain();
                    // A trap raises the risk when it holds back something that costs: os used by a
                    // module-level sys.path line is no risk, doctest used by a module-level call is.
                    boolean costly = cost == null || cost.millis() >= MIN_GAIN_MS;
                    if (costly && (first.reason() instanceof EagerReason.UsedAtImportTime || first.reason() instanceof EagerReason.InsideTry)) {
                        traps++;
                        reasons.add(reason + (cost == null ? "" : " (%.1f ms kept at start-up)".formatted(cost.millis())));
                    }
                }
                statements.add(new StatementAssessment(line, text, verdict, reason,
                        cost == null ? null : round(cost.millis()), cost == null ? null : round(cost.rssKb())));
            });
        }

        /**
         * lazy_loading's decision per statement line. What the interpreter would say of each target (module_kinds.py,
         * which optimize runs) is taken from the measured load where there is one: a from-import whose target was
         * imported as a module is a submodule (LAZY_IMPORTS.md rule 4), any other is an attribute.
         */
        private Map<Integer, List<DeferHeavyImports.NameDecision>> lazyLoading() {
            if (lazyLoading == null) {
                Set<String> imported = new java.util.HashSet<>();
                if (profile != null) {
                    profile.samples().stream().filter(LoadSample::ok).forEach(s -> s.imports().forEach(timing -> imported.add(timing.module())));
                }
                String kinds = facts.moduleLevelImports().stream()
                        .filter(f -> f.kind() == ImportFact.Kind.FROM && f.name() != null && imported.contains(f.module() + "." + f.name()))
                        .map(f -> f.module() + "." + f.name() + ":source").distinct().collect(Collectors.joining(","));
                String version = profile == null ? null : profile.python();
                PatternInput<FileFacts> input = new PatternInput<>(agent.name(), agent.script().path(), new byte[0], facts, version,
                        Map.of(DeferHeavyImports.OPTION_MODULE_KINDS, kinds));
                lazyLoading = new DeferHeavyImports().decisions(input).stream()
                        .collect(Collectors.groupingBy(DeferHeavyImports.NameDecision::line, LinkedHashMap::new, Collectors.toList()));
            }
            return lazyLoading;
        }

        private static boolean pep810(String version) {
            if (version == null) {
                return false;
            }
            String[] parts = version.split("\\.");
            return parts.length >= 2 && (Integer.parseInt(parts[0]) > 3 || (parts[0].equals("3") && Integer.parseInt(parts[1]) >= 15));
        }

        /**
         * async_initialization and cache_optimization (issue 21). The first moves the module's own work (its load less
         * its import statements, measured) off the way to healthy; returns those ms (0 without a baseline). The second
         * is recommended for pure functions when the agent has replay_requests to measure the cache on.
         */
        private double recommendWork() {
            List<WorkFacts.StartupWork> movable = facts.work().startup().stream().filter(w -> w.refused() == null && w.name() != null).toList();
            facts.work().startup().stream().filter(w -> w.refused() != null)
                    .forEach(w -> reasons.add("line %d does heavy work at load that async_initialization leaves: %s".formatted(w.line(), w.refused())));
            double moved = 0;
            if (!movable.isEmpty()) {
                String names = movable.stream().map(WorkFacts.StartupWork::name).collect(Collectors.joining(", "));
                if (profile != null) {
                    double imports = profile.statements().stream().mapToDouble(AgentProfile.StatementMedian::millis).sum();
                    moved = Math.max(0, profile.loadMillis().median() - imports);
                    recommendations.add(new Recommendation("async_initialization", "%s loaded in a background thread, %.1f ms of module code off the way to healthy"
                            .formatted(names, moved)));
                } else {
                    recommendations.add(new Recommendation("async_initialization", "%s loaded in a background thread (not measured)".formatted(names)));
                }
            }
            List<String> pure = facts.work().functions().stream().filter(WorkFacts.FunctionFact::cacheable).map(WorkFacts.FunctionFact::name).toList();
            if (!pure.isEmpty()) {
                if (ReplayRequests.of(agent).isEmpty()) {
                    reasons.add("pure functions (%s) could be cached, but no replay_requests are configured to measure the benefit"
                            .formatted(String.join(", ", pure)));
                } else {
                    recommendations.add(new Recommendation("cache_optimization", "%d pure function%s (%s); the benefit is measured by replaying %d requests"
                            .formatted(pure.size(), pure.size() == 1 ? "" : "s", String.join(", ", pure), ReplayRequests.of(agent).size())));
                }
            }
            return moved < MIN_GAIN_MS ? 0 : round(moved);
        }

        /** Heavy calls made while the module loads, 0.5 each, at most 1. */
        private double initComplexity() {
            List<HeavyCall> heavyAtImport = facts.heavyCalls().stream().filter(h -> h.phase() == Use.Phase.IMPORT_TIME).toList();
            this.heavyAtImport = !heavyAtImport.isEmpty();
            heavyAtImport.forEach(h -> reasons.add("line %d calls %s while the module loads (%s)".formatted(
                    h.line(), h.callee(), h.category().name().toLowerCase().replace('_', ' '))));
            return Math.min(1, 0.5 * heavyAtImport.size());
        }

        private Factors measuredFactors(double init) {
            double load = profile.loadMillis().median();
            // What later eager imports would load anyway is not gained, whether the statement that
            // loads it first is deferred or removed.
            double deferredMs = Math.max(0, sum(deferrable, AgentProfile.StatementMedian::millis) - shared(deferrable, eager));
            double removedMs = Math.max(0, sum(deferrable, AgentProfile.StatementMedian::millis)
                    + sum(unused, AgentProfile.StatementMedian::millis) - shared(concat(deferrable, unused), eager));
            if (removedMs > load) {
                // Medians of single statements do not add up to the median of their sum: never a part larger than the whole.
                reasons.add("the statements' medians add up to %.1f ms, more than the load's median of %.1f ms: the gain is counted as the whole load"
                        .formatted(removedMs, load));
                removedMs = load;
                deferredMs = Math.min(deferredMs, load);
            }
            double unusedMs = Math.max(0, removedMs - deferredMs);
            gain = round(removedMs);
            double heaviest = deferrable.stream().map(measured::get).filter(java.util.Objects::nonNull)
                    .mapToDouble(AgentProfile.StatementMedian::millis).max().orElse(0);
            double rss = sum(deferrable, AgentProfile.StatementMedian::rssKb) + sum(unused, AgentProfile.StatementMedian::rssKb);
            double share = load <= 0 ? 0 : Math.min(1, removedMs / load);
            if (!deferrable.isEmpty() && deferredMs >= MIN_GAIN_MS) {
                recommendations.add(new Recommendation("lazy_loading", "%s, %.1f of %.1f ms load"
                        .formatted(count(deferrable, "deferrable import"), deferredMs, round(load))));
            } else if (!deferrable.isEmpty()) {
                reasons.add("%s would gain %.1f ms, under %.0f ms: not worth a rewrite"
                        .formatted(count(deferrable, "deferrable import"), deferredMs, MIN_GAIN_MS));
            }
            if (!unused.isEmpty()) {
                recommendations.add(new Recommendation("dependency_reduction", "%s, %.1f ms".formatted(unusedImports(), unusedMs)));
            }
            return new Factors(round(2 * share + 2 * logScale(removedMs, 2, FULL_IMPACT_MS)),
                    round(3 * logScale(heaviest, 1, FULL_HEAVY_MS)), round(2 * Math.min(1, rss / FULL_MEMORY_KB)), round(init));
        }

        /** Without measurements only the share of statements that could go, and the heavy calls, count. */
        private Factors staticFactors(double init) {
            int total = deferrable.size() + unused.size() + eager.size();
            double share = total == 0 ? 0 : (double) (deferrable.size() + unused.size()) / total;
            if (!deferrable.isEmpty()) {
                recommendations.add(new Recommendation("lazy_loading", "%s of %d (not measured)"
                        .formatted(count(deferrable, "deferrable import"), total)));
            }
            if (!unused.isEmpty()) {
                recommendations.add(new Recommendation("dependency_reduction", unusedImports()));
            }
            return new Factors(round(2 * share), 0, 0, round(init));
        }

        private static String count(List<Integer> lines, String noun) {
            return lines.size() + " " + noun + (lines.size() == 1 ? "" : "s");
        }

        /** Median over the samples of the time of {@code deferred} statements that eager imports would pay anyway. */
        private double shared(List<Integer> deferred, List<Integer> eager) {
            List<Double> perSample = profile.samples().stream().filter(LoadSample::ok)
                    .map(s -> SharedImports.sharedMillis(s, Set.copyOf(deferred), Set.copyOf(eager))).toList();
            return perSample.isEmpty() ? 0 : Stats.of(perSample).median();
        }

        private static List<Integer> concat(List<Integer> a, List<Integer> b) {
            List<Integer> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }

        private double sum(List<Integer> lines, java.util.function.ToDoubleFunction<AgentProfile.StatementMedian> value) {
            return lines.stream().map(measured::get).filter(java.util.Objects::nonNull).mapToDouble(value).sum();
        }

        /** "2 unused imports (os, sys)", or "2 unused import statements, 4 names (os, sys, re, json)": counts agree with the list. */
        private String unusedImports() {
            List<String> names = statements.stream().filter(s -> unused.contains(s.line()))
                    .flatMap(s -> java.util.Arrays.stream(s.text().split(", "))).toList();
            String listed = String.join(", ", names);
            return names.size() == unused.size() ? "%s (%s)".formatted(count(unused, "unused import"), listed)
                    : "%s, %d names (%s)".formatted(count(unused, "unused import statement"), names.size(), listed);
        }
    }
}
