package io.fleetshell.shell.commands;

import io.fleetshell.engine.compare.Comparison;
import io.fleetshell.engine.compare.Gates;
import io.fleetshell.engine.compare.Series;
import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.compare.TrafficHistory;
import io.fleetshell.engine.compare.Window;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.runtime.RuntimeBaseline;
import io.fleetshell.history.RuntimeStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.watch.Change;
import io.fleetshell.shell.watch.WatchFacts;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code watch} shows from the runtime history: each agent's last measured time-to-healthy ({@code agents
 * start|restart}), and its recent p95 latencies judged against its runtime baseline ({@code baseline capture}) by
 * the same comparison the latency gate makes (Mann-Whitney on the p95 of each scrape interval, thresholds from
 * settings.yaml). Nothing is stored: watch shows, gates decide.
 */
final class RuntimeWatchFacts implements WatchFacts {

    private static final String MEASURE = "request latency ms (p95 of each scrape interval)";

    private static final java.time.format.DateTimeFormatter WHEN = java.time.format.DateTimeFormatter.ofPattern("MM-dd HH:mm:ss")
            .withZone(java.time.ZoneId.systemDefault());
    /** Lines of each section of an agent's detail. */
    private static final int SHOWN = 5;

    private final RuntimeStore runtime;
    private final io.fleetshell.history.MetricStore metrics;
    private final java.util.function.Function<AgentId, AgentLog> logs;
    private final TrafficHistory traffic;
    private final Thresholds thresholds;
    /** A baseline window's samples never change: read once per baseline (a new capture has a new id). */
    private final Map<AgentId, Baseline> baselines = new HashMap<>();

    private record Baseline(long id, Series series) {
    }

    /** Read at each cycle's start (two queries for the whole fleet, not two per agent); null before the first cycle. */
    private Map<AgentId, Double> timesToHealthy;
    private Map<AgentId, RuntimeBaseline> latestBaselines;

    /** Where an agent's log is, as shown, and its last lines, read when the detail is drawn (on its machine). */
    record AgentLog(String shown, java.util.function.IntFunction<List<String>> last) {
    }

    /** @param logs each watched agent's log (the supervisor's, wherever the agent runs) */
    RuntimeWatchFacts(ShellSession session, Thresholds thresholds, java.util.function.Function<AgentId, AgentLog> logs) {
        this.runtime = session.runtime();
        this.metrics = session.metrics();
        this.logs = logs;
        this.traffic = session.traffic();
        this.thresholds = thresholds;
    }

    /** When the agent's newest runtime baseline window ends, if it has one: later intervals are "current". */
    Optional<Instant> baselineEnd(AgentId agent) {
        return runtime.runtimeBaseline(agent).map(RuntimeBaseline::windowEnd);
    }

    @Override
    public void cycle() {
        timesToHealthy = runtime.latestTimesToHealthy();
        latestBaselines = new HashMap<>();
        runtime.latestRuntimeBaselines().forEach(b -> latestBaselines.put(b.agent(), b));
    }

    @Override
    public Optional<Double> timeToHealthySeconds(AgentId agent) {
        if (timesToHealthy == null) {
            cycle();
        }
        return Optional.ofNullable(timesToHealthy.get(agent)).map(ms -> ms / 1000);
    }

    @Override
    public Optional<Change> change(AgentId agent, List<P95> recent) {
        if (latestBaselines == null) {
            cycle();
        }
        Optional<RuntimeBaseline> captured = Optional.ofNullable(latestBaselines.get(agent));
        if (captured.isEmpty()) {
            return Optional.empty();
        }
        RuntimeBaseline b = captured.get();
        Baseline baseline = baselines.get(agent);
        if (baseline == null || baseline.id() != b.id()) {
            Window window = new Window(b.windowStart(), b.windowEnd(), "runtime baseline v%d".formatted(b.version()));
            List<TrafficHistory.Interval> served = traffic.intervals(agent, b.windowStart(), b.windowEnd()).stream()
                    .filter(i -> i.stats().requests() > 0 && !Double.isNaN(i.stats().p95Seconds())).toList();
            baseline = new Baseline(b.id(), new Series(window, "metric_scrapes", served.stream().map(TrafficHistory.Interval::toScrape).toList(),
                    served.stream().mapToDouble(i -> i.stats().p95Seconds() * 1000).toArray()));
            baselines.put(agent, baseline);
        }
        List<P95> measured = recent.stream().filter(p -> !Double.isNaN(p.seconds())).toList();
        Instant now = Instant.now();
        Series current = new Series(new Window(b.windowEnd().isBefore(now) ? b.windowEnd() : now, now, "watch, recent intervals"),
                "metric_scrapes", measured.stream().map(P95::scrapeId).toList(), measured.stream().mapToDouble(p -> p.seconds() * 1000).toArray());
        GateDecision decision = Comparison.lowerIsBetter(Gates.LATENCY, MEASURE, Comparison.Statistic.P50, baseline.series(), current, thresholds);
        Object change = decision.evidence().get("change");
        double percent = change instanceof Number n ? 100 * n.doubleValue() : Double.NaN;
        String basis = "v%d: %s".formatted(b.version(), decision.rule());
        Change.Verdict verdict = switch (decision.verdict()) {
            case FAIL -> Change.Verdict.REGRESSED;
            case HOLD -> decision.evidence().containsKey("insufficient") ? Change.Verdict.UNKNOWN : Change.Verdict.WITHIN;
            case PASS -> switch (String.valueOf(decision.evidence().get("improvement"))) {
                case "target" -> Change.Verdict.TARGET;
                case "minimum" -> Change.Verdict.IMPROVED;
                default -> Change.Verdict.WITHIN;
            };
        };
        // The test in the direction the change goes: a faster p95 is judged by "is it faster", a slower one by "is it slower".
        Object test = decision.evidence().get(percent >= 0 ? "test_better" : "test_worse");
        double p = test instanceof Map<?, ?> t && t.get("p") instanceof Number n ? n.doubleValue() : Double.NaN;
        return Optional.of(new Change(percent, verdict, basis, p, !Double.isNaN(p) && p < thresholds.alpha()));
    }

    @Override
    public Detail detail(AgentId agent) {
        Instant now = Instant.now();
        List<String> scrapes = last(metrics.scrapes(agent, now.minus(java.time.Duration.ofHours(1)), now).stream()
                .map(s -> "%s  %s  %.0f ms  %s".formatted(WHEN.format(s.at()), s.status(), s.tookMillis(), s.url())).toList());
        List<String> starts = last(runtime.starts(agent, Instant.EPOCH, now).stream().map(s -> "%s  %s  %s".formatted(WHEN.format(s.at()),
                s.method().name().toLowerCase().replace('_', ' '), s.healthy() && s.timeToHealthyMillis() != null
                        ? "healthy in %.0f ms".formatted(s.timeToHealthyMillis()) : "NOT healthy")).toList());
        List<String> decisions = runtime.decisions(agent, SHOWN).reversed().stream().map(d -> "%s  %s %s: %s".formatted(WHEN.format(d.at()),
                d.decision().gate(), d.decision().verdict(), d.decision().summary())).toList();
        AgentLog log = logs.apply(agent);
        return new Detail(scrapes, starts, decisions, log == null ? "no log: fleetshell does not run it" : log.shown(),
                log == null ? List.of() : log.last().apply(10));
    }

    private static List<String> last(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - SHOWN), lines.size());
    }
}
