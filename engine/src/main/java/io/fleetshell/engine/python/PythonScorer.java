package io.fleetshell.engine.python;

import io.fleetshell.engine.python.analysis.DeferrableImports;
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
 * statements, less what later eager imports would load anyway.
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
            return notOptimizable(agent, "%s:%d: %s (never modified)".formatted(agent.script().path(),
                    facts.error().line(), facts.error().message()));
        }
        if (profile != null && !profile.loaded()) {
            return notOptimizable(agent, "fails to load: " + profile.failure().map(Object::toString).orElse("")
                    + " (a rewrite could not be proven)");
        }
        return new Assessment(agent, facts, profile, baselineVersion, baselineNote).result();
    }

    private static AgentScore notOptimizable(Agent agent, String reason) {
        return AgentScore.notOptimizable(agent.id(), reason);
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
        private boolean trapped;
        private Double gain;
        private Set<String> importedModules;

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
            Risk risk = band == Band.HIGH || band == Band.MEDIUM_LOW_RISK ? Risk.LOW : band == Band.MEDIUM ? Risk.MEDIUM : Risk.HIGH;
            if (trapped) {
                risk = risk.raised();
            }
            double moved = recommendWork();
            if (moved > 0) {
                gain = round((gain == null ? 0 : gain) + moved);
            }
            boolean gains = !recommendations.isEmpty() && (gain == null || gain > 0
                    || recommendations.stream().anyMatch(r -> r.pattern().equals("cache_optimization")));
            if (!gains) {
                reasons.addFirst("nothing to gain: every import with a measured cost must stay as it is");
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
                    Optional<ImportFact> attribute = verdicts.stream().map(ImportVerdict::fact)
                            .filter(fact -> !lazyCapable(fact)).findFirst();
                    if (attribute.isPresent()) {
                        verdict = "eager";
                        eager.add(line);
                        reason = ("`%s` (line %d) stays eager: `from %s import %s` can be deferred only when %s is a submodule "
                                + "or on Python 3.15+ (lazy from), rule 4; %s").formatted(attribute.get().text(), line,
                                attribute.get().module(), attribute.get().name(), attribute.get().name(),
                                profile == null ? "profile the agent to find out" : "the measured load shows it is not a submodule");
                    } else {
                        verdict = "deferrable";
                        deferrable.add(line);
                        reason = verdicts.stream().filter(v -> v instanceof ImportVerdict.Deferrable).findFirst().orElseThrow().explain();
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
                        trapped = true;
                        reasons.add(reason + (cost == null ? "" : " (%.1f ms kept at start-up)".formatted(cost.millis())));
                    }
                }
                statements.add(new StatementAssessment(line, text, verdict, reason,
                        cost == null ? null : round(cost.millis()), cost == null ? null : round(cost.rssKb())));
            });
        }

        /**
         * Whether a module-level binding of this import can load lazily (LAZY_IMPORTS.md rule 4): any
         * {@code import}; a {@code from} import only of a submodule (seen as such in the measured
         * {@code -X importtime}), or of anything on an interpreter with PEP 810's {@code lazy from}.
         */
        private boolean lazyCapable(ImportFact fact) {
            if (fact.kind() == ImportFact.Kind.IMPORT || fact.name() == null) {
                return true;
            }
            if (profile == null) {
                return false;
            }
            if (pep810(profile.python())) {
                return true;
            }
            if (importedModules == null) {
                importedModules = new java.util.HashSet<>();
                profile.samples().stream().filter(LoadSample::ok)
                        .forEach(s -> s.imports().forEach(timing -> importedModules.add(timing.module())));
            }
            return importedModules.contains(fact.module() + "." + fact.name());
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
                recommendations.add(new Recommendation("dependency_reduction", "%s (%s), %.1f ms"
                        .formatted(count(unused, "unused import"), names(unused), unusedMs)));
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
                recommendations.add(new Recommendation("dependency_reduction", "%s (%s)".formatted(count(unused, "unused import"), names(unused))));
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

        private String names(List<Integer> lines) {
            return statements.stream().filter(s -> lines.contains(s.line())).map(StatementAssessment::text)
                    .collect(Collectors.joining(", "));
        }
    }
}
