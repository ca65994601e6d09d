package io.fleetshell.engine.compare;

import io.fleetshell.engine.gate.Gate;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.runtime.HealthProbe;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.runtime.ProbeSample;
import io.fleetshell.engine.runtime.ProbeTarget;
import io.fleetshell.engine.runtime.RequestSample;
import io.fleetshell.engine.runtime.RuntimeBaseline;
import io.fleetshell.engine.runtime.RuntimeHistory;
import io.fleetshell.engine.runtime.StartSample;
import io.fleetshell.engine.stats.DataNeeded;
import io.fleetshell.engine.stats.TwoProportions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The gates the rollout calls after each step, and {@code baseline compare} runs by hand: health (answers 200
 * now), time-to-healthy, error rate and memory against the agent's baseline window. Every decision is stored
 * through {@link RuntimeHistory#recordDecision} with its evidence, and comes back with its
 * {@code decision_id} added to the evidence.
 *
 * <p>The baseline window is the agent's newest runtime baseline ({@code baseline capture}) when it ended
 * before the change; otherwise the {@link Thresholds#baselineLookback()} before the change. The current
 * window runs from the change until now.
 */
public final class Gates {

    public static final String HEALTH = "health";
    public static final String TIME_TO_HEALTHY = "time-to-healthy";
    public static final String ERROR_RATE = "error rate";
    public static final String MEMORY = "memory";
    public static final String LATENCY = "p95 latency";

    private final Inventory inventory;
    private final io.fleetshell.engine.runtime.Reach reach;
    private final RuntimeHistory history;
    private final TrafficHistory traffic;
    private final Thresholds thresholds;
    private final HealthProbe probe = new HealthProbe();

    /** @param traffic the scraped request metrics ({@link TrafficHistory#NONE} without any) */
    /** @param reach where each agent's health check connects (its machine's host, or a tunnel to it) */
    public Gates(Inventory inventory, io.fleetshell.engine.runtime.Reach reach, RuntimeHistory history, TrafficHistory traffic,
                 Thresholds thresholds) {
        this.inventory = inventory;
        this.reach = reach;
        this.history = history;
        this.traffic = traffic;
        this.thresholds = thresholds;
    }

    /** Every gate, each storing its decisions. */
    public List<Gate> all() {
        return List.of(recorded(HEALTH, (agent, since) -> health(agent)), recorded(TIME_TO_HEALTHY, since(this::timeToHealthy)),
                recorded(LATENCY, since(this::latency)), recorded(ERROR_RATE, since(this::errorRate)), recorded(MEMORY, since(this::memory)));
    }

    /**
     * What an analysis run decides on: the runtime gates (time-to-healthy, latency, error rate, memory) on the samples of
     * two given windows, each regression also held to the analysis' absolute tolerance (a rise within it is noise, not a
     * regression, however significant). Latency and errors come from the analysis' synthetic requests when the windows
     * hold some, else from scraped traffic. Each decision is stored.
     */
    public List<GateDecision> evaluate(Agent agent, Window base, Window now, AnalysisSettings settings) {
        Tolerances t = new Tolerances(settings.startTolerance().toMillis(), settings.latencyTolerance().toMillis(),
                settings.memoryToleranceKb(), settings.relativeTolerance(), settings.firstUse());
        List<GateDecision> out = new ArrayList<>();
        out.add(store(agent, timeToHealthy(agent, base, now, t)));
        out.add(store(agent, latency(agent, base, now, t)));
        out.add(store(agent, errorRate(agent, base, now, t)));
        out.add(store(agent, memory(agent, base, now, t)));
        return out;
    }

    /** The absolute amounts a regression must exceed, and how many requests after a start are first-use cost. */
    record Tolerances(double startMillis, double latencyMillis, double memoryKb, double relative, int firstUse) {
        static final Tolerances NONE = new Tolerances(0, 0, 0, 0, 0);
    }

    private interface Windowed {
        GateDecision decide(Agent agent, Window base, Window now, Tolerances tolerances);
    }

    private java.util.function.BiFunction<Agent, Instant, GateDecision> since(Windowed gate) {
        return (agent, since) -> gate.decide(agent, baselineWindow(agent, since), new Window(since, Instant.now(), "since the change"),
                Tolerances.NONE);
    }

    /** One gate by name. */
    public Optional<Gate> named(String name) {
        return all().stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** Runs every gate on the agent for the samples since {@code since}; each decision is stored. */
    public List<GateDecision> evaluate(Agent agent, Instant since) {
        return all().stream().map(g -> g.evaluate(agent, since)).toList();
    }

    /** The baseline window the gates compare the samples since {@code since} against. */
    public Window baselineWindow(Agent agent, Instant since) {
        Optional<RuntimeBaseline> captured = history.runtimeBaseline(agent.id());
        if (captured.isPresent() && !captured.get().windowEnd().isAfter(since)) {
            RuntimeBaseline b = captured.get();
            return new Window(b.windowStart(), b.windowEnd(), "runtime baseline v%d (baseline capture at %s)".formatted(b.version(), b.capturedAt()));
        }
        String why = captured.isPresent() ? "its runtime baseline v%d ends after the change".formatted(captured.get().version())
                : "no runtime baseline captured";
        return new Window(since.minus(thresholds.baselineLookback()), since,
                "the %s before the change (%s)".formatted(DataNeeded.human(thresholds.baselineLookback()), why));
    }

    private GateDecision health(Agent agent) {
        Optional<ProbeTarget> target = reach.health(agent, inventory.machine(agent.machine()).orElse(null));
        if (target.isEmpty()) {
            return GateDecision.cannotEvaluate(HEALTH, agent.id() + " has no health_check_port or port to probe");
        }
        ProbeResult result = probe.probe(target.get());
        long id = history.recordProbe(result);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("probe", target.get().describe());
        evidence.put("outcome", result.outcome().name().toLowerCase());
        evidence.put("status_code", result.statusCode());
        evidence.put("millis", result.millis());
        evidence.put("detail", result.detail());
        evidence.put("table", "health_probes");
        evidence.put("sample_ids", List.of(id));
        return result.healthy()
                ? new GateDecision(HEALTH, GateDecision.Verdict.PASS, "health check answered 200", result.oneLine(), evidence)
                : new GateDecision(HEALTH, GateDecision.Verdict.FAIL, "health check must answer 200", result.oneLine(), evidence);
    }

    private GateDecision timeToHealthy(Agent agent, Window base, Window now, Tolerances tolerances) {
        List<StartSample> current = history.starts(agent.id(), now.from(), now.to());
        List<StartSample> failed = current.stream().filter(s -> !s.healthy()).toList();
        if (!failed.isEmpty()) {
            Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("table", "agent_starts");
            evidence.put("failed_start_ids", failed.stream().map(StartSample::id).toList());
            evidence.put("current", now.asEvidence());
            return new GateDecision(TIME_TO_HEALTHY, GateDecision.Verdict.FAIL, "every start must become healthy",
                    "%d of %d starts since the change never became healthy".formatted(failed.size(), current.size()), evidence);
        }
        return Comparison.lowerIsBetter(TIME_TO_HEALTHY, "time-to-healthy ms", Comparison.Statistic.P50,
                series(base, "agent_starts", history.starts(agent.id(), base.from(), base.to()), StartSample::healthy, StartSample::id,
                        StartSample::timeToHealthyMillis),
                series(now, "agent_starts", current, StartSample::healthy, StartSample::id, StartSample::timeToHealthyMillis),
                thresholds, tolerances.startMillis(), tolerances.relative());
    }

    private GateDecision memory(Agent agent, Window base, Window now, Tolerances tolerances) {
        Predicate<ProbeSample> measured = p -> p.probe().rssKb() != null;
        return Comparison.lowerIsBetter(MEMORY, "RSS kB", Comparison.Statistic.P50,
                series(base, "health_probes", history.probes(agent.id(), base.from(), base.to()), measured, ProbeSample::id,
                        p -> p.probe().rssKb().doubleValue()),
                series(now, "health_probes", history.probes(agent.id(), now.from(), now.to()), measured, ProbeSample::id,
                        p -> p.probe().rssKb().doubleValue()),
                thresholds, tolerances.memoryKb(), tolerances.relative());
    }

    /**
     * With synthetic requests in both windows: each steady-state request is one raw sample, in milliseconds; the first
     * {@code first_use} requests after every start are first-use cost (lazy imports move work there on purpose), shown
     * apart and not judged. Otherwise the p95 of each scrape interval with traffic is one raw sample.
     */
    private GateDecision latency(Agent agent, Window base, Window now, Tolerances tolerances) {
        List<RequestSample> requestsBefore = history.requests(agent.id(), base.from(), base.to());
        List<RequestSample> requestsAfter = history.requests(agent.id(), now.from(), now.to());
        if (!requestsBefore.isEmpty() && !requestsAfter.isEmpty()) {
            Predicate<RequestSample> steady = r -> !r.failed() && r.ordinal() > tolerances.firstUse();
            GateDecision d = Comparison.lowerIsBetter(LATENCY, "steady-state request latency ms (synthetic requests, first %d after each start excluded)"
                            .formatted(tolerances.firstUse()), Comparison.Statistic.P50,
                    series(base, "traffic_requests", requestsBefore, steady, RequestSample::id, RequestSample::millis),
                    series(now, "traffic_requests", requestsAfter, steady, RequestSample::id, RequestSample::millis),
                    thresholds, tolerances.latencyMillis(), tolerances.relative());
            Map<String, Object> evidence = new LinkedHashMap<>(d.evidence());
            Predicate<RequestSample> first = r -> !r.failed() && r.ordinal() <= tolerances.firstUse();
            Series firstBefore = series(base, "traffic_requests", requestsBefore, first, RequestSample::id, RequestSample::millis);
            Series firstAfter = series(now, "traffic_requests", requestsAfter, first, RequestSample::id, RequestSample::millis);
            evidence.put("first_use_cost", JsonMap.of("rule", "the first %d request(s) after each start are first-use cost: reported, not judged"
                            .formatted(tolerances.firstUse()), "baseline", firstBefore.asEvidence(), "current", firstAfter.asEvidence()));
            String firstUse = firstAfter.size() == 0 ? "" : "; first-use cost p50 %.1f -> %.1f ms (not judged)".formatted(
                    firstBefore.size() == 0 ? Double.NaN : firstBefore.quantile(0.5), firstAfter.quantile(0.5));
            return new GateDecision(d.gate(), d.verdict(), d.rule(), d.summary() + firstUse, evidence);
        }
        Predicate<TrafficHistory.Interval> served = i -> i.stats().requests() > 0 && !Double.isNaN(i.stats().p95Seconds());
        return Comparison.lowerIsBetter(LATENCY, "request latency ms (p95 of each scrape interval)", Comparison.Statistic.P50,
                series(base, "metric_scrapes", traffic.intervals(agent.id(), base.from(), base.to()), served,
                        TrafficHistory.Interval::toScrape, i -> i.stats().p95Seconds() * 1000),
                series(now, "metric_scrapes", traffic.intervals(agent.id(), now.from(), now.to()), served,
                        TrafficHistory.Interval::toScrape, i -> i.stats().p95Seconds() * 1000),
                thresholds, tolerances.latencyMillis(), tolerances.relative());
    }

    /**
     * Failed synthetic requests (no answer or 5xx) out of all of them when both windows hold some; else 5xx answers
     * out of all requests when the agent's counters carry a status label; else failed health probes out of all probes.
     */
    private GateDecision errorRate(Agent agent, Window base, Window now, Tolerances tolerances) {
        List<RequestSample> requestsBefore = history.requests(agent.id(), base.from(), base.to());
        List<RequestSample> requestsAfter = history.requests(agent.id(), now.from(), now.to());
        if (!requestsBefore.isEmpty() && !requestsAfter.isEmpty()) {
            List<Long> failedBefore = requestsBefore.stream().filter(RequestSample::failed).map(RequestSample::id).toList();
            List<Long> failedAfter = requestsAfter.stream().filter(RequestSample::failed).map(RequestSample::id).toList();
            return rateComparison(ERROR_RATE, "failed synthetic requests (no answer or 5xx)", "traffic_requests", base, failedBefore.size(),
                    failedBefore, requestsBefore.size(), now, failedAfter.size(), failedAfter, requestsAfter.size());
        }
        List<TrafficHistory.Interval> trafficBefore = labelled(traffic.intervals(agent.id(), base.from(), base.to()));
        List<TrafficHistory.Interval> trafficAfter = labelled(traffic.intervals(agent.id(), now.from(), now.to()));
        if (!trafficBefore.isEmpty() && !trafficAfter.isEmpty()) {
            return rateComparison(ERROR_RATE, "5xx answers", "metric_scrapes",
                    base, errors(trafficBefore), failing(trafficBefore), requests(trafficBefore),
                    now, errors(trafficAfter), failing(trafficAfter), requests(trafficAfter));
        }
        List<ProbeSample> before = history.probes(agent.id(), base.from(), base.to());
        List<ProbeSample> after = history.probes(agent.id(), now.from(), now.to());
        List<Long> failedBefore = before.stream().filter(p -> !p.probe().healthy()).map(ProbeSample::id).toList();
        List<Long> failedAfter = after.stream().filter(p -> !p.probe().healthy()).map(ProbeSample::id).toList();
        return rateComparison(ERROR_RATE, "failed health probes", "health_probes",
                base, failedBefore.size(), failedBefore, before.size(), now, failedAfter.size(), failedAfter, after.size());
    }

    /**
     * Decides on a failure rate: HOLD below the minimum trials, FAIL when the current rate is significantly
     * higher and the change is at or below the regression alert, PASS otherwise.
     */
    GateDecision rateComparison(String gate, String measure, String table, Window base, long baseFailures, List<Long> baseIds,
                                long baseTrials, Window now, long currentFailures, List<Long> currentIds, long currentTrials) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("measure", measure);
        evidence.put("table", table);
        evidence.put("baseline", JsonMap.of("window", base.asEvidence(), "trials", baseTrials, "failures", baseFailures,
                "failure_ids", baseIds));
        evidence.put("current", JsonMap.of("window", now.asEvidence(), "trials", currentTrials, "failures", currentFailures,
                "failure_ids", currentIds));
        evidence.put("thresholds", thresholds.asEvidence());
        Optional<DataNeeded> needed = DataNeeded.check((int) baseTrials, (int) currentTrials, thresholds.minimumTrials(), now.span());
        if (needed.isPresent()) {
            return new GateDecision(gate, GateDecision.Verdict.HOLD, "fewer than %d trials per side".formatted(thresholds.minimumTrials()),
                    "%s: %s".formatted(measure, needed.get().describe("trials")), evidence);
        }
        TwoProportions test = TwoProportions.greaterThan(currentFailures, currentTrials, baseFailures, baseTrials);
        // As a change relative to the baseline's success rate: 1% -> 8% failures is a -7.1% change in successes.
        double change = (test.referenceRate() - test.candidateRate()) / Math.max(1e-9, 1 - test.referenceRate());
        evidence.put("change", change);
        evidence.put("test", JsonMap.of("method", test.method(), "z", test.z(), "p", test.pValue(),
                "baseline_rate", test.referenceRate(), "current_rate", test.candidateRate()));
        String shown = "%s %.2f%% -> %.2f%% (%d/%d since the change)".formatted(measure, test.referenceRate() * 100,
                test.candidateRate() * 100, currentFailures, currentTrials);
        if (change <= thresholds.regressionAlert() && test.significant(thresholds.alpha())) {
            return new GateDecision(gate, GateDecision.Verdict.FAIL, "success change %s <= regression alert %s (z-test p=%.4f < %.2f)"
                    .formatted(Thresholds.percent(change), Thresholds.percent(thresholds.regressionAlert()), test.pValue(), thresholds.alpha()),
                    "regression: " + shown, evidence);
        }
        if (change <= thresholds.regressionAlert()) {
            return new GateDecision(gate, GateDecision.Verdict.HOLD, "success change %s <= regression alert %s but not significant (p=%.4f)"
                    .formatted(Thresholds.percent(change), Thresholds.percent(thresholds.regressionAlert()), test.pValue()),
                    "possibly worse, not yet significant: " + shown, evidence);
        }
        return new GateDecision(gate, GateDecision.Verdict.PASS, "no significant rise in failures (p=%.4f)".formatted(test.pValue()),
                shown, evidence);
    }

    private static List<TrafficHistory.Interval> labelled(List<TrafficHistory.Interval> intervals) {
        return intervals.stream().filter(i -> !Double.isNaN(i.stats().errors()) && i.stats().requests() > 0).toList();
    }

    /** Scrape ids closing the intervals that had 5xx answers. */
    private static List<Long> failing(List<TrafficHistory.Interval> intervals) {
        return intervals.stream().filter(i -> i.stats().errors() > 0).map(TrafficHistory.Interval::toScrape).toList();
    }

    private static long errors(List<TrafficHistory.Interval> intervals) {
        return Math.round(intervals.stream().mapToDouble(i -> i.stats().errors()).sum());
    }

    private static long requests(List<TrafficHistory.Interval> intervals) {
        return Math.round(intervals.stream().mapToDouble(i -> i.stats().requests()).sum());
    }

    private static <T> Series series(Window window, String table, List<T> samples, Predicate<T> usable,
                                     java.util.function.ToLongFunction<T> id, ToDoubleFunction<T> value) {
        List<Long> ids = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (T sample : samples) {
            if (usable.test(sample)) {
                ids.add(id.applyAsLong(sample));
                values.add(value.applyAsDouble(sample));
            }
        }
        return new Series(window, table, ids, values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private GateDecision store(Agent agent, GateDecision decision) {
        long id = history.recordDecision(agent.id(), Instant.now(), decision);
        Map<String, Object> evidence = new LinkedHashMap<>(decision.evidence());
        evidence.put("decision_id", id);
        return new GateDecision(decision.gate(), decision.verdict(), decision.rule(), decision.summary(), evidence);
    }

    private Gate recorded(String name, java.util.function.BiFunction<Agent, Instant, GateDecision> decide) {
        return new Gate() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public GateDecision evaluate(Agent agent, Instant since) {
                return store(agent, decide.apply(agent, since));
            }
        };
    }
}
