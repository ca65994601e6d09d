package io.fleetshell.shell.commands;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.metrics.Exposition;
import io.fleetshell.engine.metrics.MetricFamily;
import io.fleetshell.engine.metrics.MetricSource;
import io.fleetshell.engine.metrics.PrometheusApi;
import io.fleetshell.engine.metrics.RequestStats;
import io.fleetshell.engine.metrics.Sample;
import io.fleetshell.engine.metrics.ScrapeResult;
import io.fleetshell.engine.metrics.ScrapeTarget;
import io.fleetshell.history.MetricStore;
import io.fleetshell.history.MetricStore.StoredScrape;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.FiniteNumber;
import io.fleetshell.shell.render.Sparkline;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;
import tools.jackson.databind.annotation.JsonSerialize;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code metrics scrape|show|query}: gather agents' Prometheus metrics into the history and read them back. */
@Component
public class MetricsCommands {

    static final String GROUP = "Runtime";
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final ShellSession session;

    public MetricsCommands(ShellSession session) {
        this.session = session;
    }

    @Journaled
    @Command(name = {"metrics", "scrape"}, group = GROUP, help = "metrics scrape [AGENT...] [--machine M] [--timeout 5s] [--json]",
            completionProvider = "agentCompletion",
            description = "Read agents' Prometheus metrics once and store every sample in the history. From each agent's "
                    + "http://HOST:HEALTH_PORT/metrics, or from the Prometheus server settings.yaml names (prometheus_url). "
                    + "A target that fails (down, hanging, HTTP error, garbage) is stored with its error; the others carry on.")
    public void scrape(@Arguments List<String> names,
                       @Option(longName = "machine", description = "only this machine's agents") String machine,
                       @Option(longName = "timeout", defaultValue = "5s", description = "how long one target may take") String timeout,
                       @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        Duration perTarget = Durations.parse(timeout, "--timeout", Duration.ofMillis(1), Duration.ofMinutes(10));
        Output out = session.output();
        io.fleetshell.engine.inventory.Inventory inventory = session.inventoryStore().inventory();
        List<Agent> agents = MetricTargets.agents(inventory, names, machine);
        List<ScrapeTarget> targets = MetricTargets.targets(agents, out, session.settings(), new io.fleetshell.engine.runtime.Supervisor(
                session.home(), inventory, session.runtime(), Duration.ofSeconds(30), Duration.ofSeconds(10)));
        List<ScrapeResult> results;
        MetricStore.Source kind;
        try (MetricSource source = MetricTargets.source(session.settings(), perTarget)) {
            out.info("Reading %d target%s from %s...".formatted(targets.size(), targets.size() == 1 ? "" : "s", source.describe()));
            results = source.read(targets);
            kind = MetricTargets.kind(source);
        }
        List<StoredScrape> stored = session.metrics().save(results, kind);
        long failed = stored.stream().filter(s -> !s.ok()).count();
        long samples = stored.stream().mapToLong(StoredScrape::samples).sum();
        session.journal().summary("scraped %d targets (%d failed), %d samples stored".formatted(stored.size(), failed, samples));
        session.journal().agents(stored.stream().map(StoredScrape::agent).toList());
        if (json) {
            out.json(Map.of("scrapes", stored));
        } else {
            TextTable table = new TextTable("MACHINE", "AGENT", "STATUS", "SAMPLES", "BYTES", "MS", "SCRAPE", "DETAIL").note("DETAIL");
            for (StoredScrape s : stored) {
                table.row(s.agent().machine(), s.agent().name(), s.ok() ? "ok" : out.style(s.status(), "31"), s.samples(),
                        s.bytes(), "%.1f".formatted(s.tookMillis()), "#" + s.id(), s.ok() ? s.url() : s.error());
            }
            out.table(table);
        }
        if (failed > 0) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "%d of %d targets failed (stored with their errors); the other %d were stored."
                    .formatted(failed, stored.size(), stored.size() - failed));
        }
    }

    @Journaled
    @Command(name = {"metrics", "import"}, group = GROUP, help = "metrics import AGENT FILE... [--json]",
            completionProvider = "agentCompletion",
            description = "Store recorded expositions as an agent's scrapes. Text format 0.0.4, or OpenMetrics when a file ends "
                    + "with # EOF; samples with timestamps become one scrape per timestamp, the others one scrape at the "
                    + "file's modification time. A file that does not parse is refused with its line and column; nothing is stored.")
    public void importFiles(@Arguments List<String> words, @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (words == null || words.size() < 2) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name an agent and at least one file: metrics import AGENT FILE...");
        }
        Agent agent = AgentLookup.agent(session.inventoryStore().inventory(), words.getFirst());
        long parseStart = System.nanoTime();
        List<ScrapeResult> results = new ArrayList<>();
        for (String name : words.subList(1, words.size())) {
            results.addAll(MetricImport.read(agent.id(), Path.of(name)));
        }
        long parsed = System.nanoTime();
        List<StoredScrape> stored = session.metrics().save(results, MetricStore.Source.IMPORT);
        long storeNanos = System.nanoTime() - parsed;
        long samples = stored.stream().mapToLong(StoredScrape::samples).sum();
        session.journal().summary("imported %d samples in %d scrapes of %s".formatted(samples, stored.size(), agent.id()));
        session.journal().agents(List.of(agent.id()));
        Output out = session.output();
        if (json) {
            out.json(new Imported(agent.id(), stored.size(), samples, stored.isEmpty() ? null : stored.getFirst().id(),
                    stored.isEmpty() ? null : stored.getLast().id(), (parsed - parseStart) / 1e6, storeNanos / 1e6));
            return;
        }
        out.println("%s: stored %d samples in %d scrapes (#%s-#%s) in %.0f ms (%.0f samples/s)".formatted(agent.id(), samples, stored.size(),
                stored.isEmpty() ? "-" : stored.getFirst().id(), stored.isEmpty() ? "-" : stored.getLast().id(), storeNanos / 1e6,
                samples / Math.max(1e-9, storeNanos / 1e9)));
    }

    @Command(name = {"metrics", "show"}, group = GROUP, help = "metrics show AGENT [--window 1h] [--metric NAME | --scrape ID] [--json]",
            completionProvider = "agentCompletion",
            description = "Show what the history holds for one agent's metrics. Scrapes, failures, requests, p50/p95 latency "
                    + "and 5xx errors between scrapes, and each series' latest value with the scrape it came from. --scrape ID "
                    + "shows one stored scrape in full (the ids gate evidence and explain name).")
    public void show(@Arguments List<String> names,
                     @Option(longName = "window", defaultValue = "1h", description = "how far back to look, e.g. 10m, 1h, 1d") String window,
                     @Option(longName = "metric", description = "list every stored point of this sample or family name") String metric,
                     @Option(longName = "scrape", description = "one stored scrape in full: its time, URL, status and every sample") Long scrape,
                     @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (names == null || names.size() != 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name one agent: metrics show AGENT");
        }
        Agent agent = AgentLookup.agent(session.inventoryStore().inventory(), names.getFirst());
        if (scrape != null) {
            showScrape(agent, scrape, json);
            return;
        }
        Instant to = Instant.now();
        Duration span = Durations.parse(window, "--window");
        Instant from = to.minus(span);
        MetricStore store = session.metrics();
        List<StoredScrape> scrapes = store.scrapes(agent.id(), from, to);
        if (scrapes.isEmpty()) {
            throw new FleetshellException(ErrorCode.UNKNOWN_NAME, "%s has no scrapes in the last %s; run metrics scrape %s (or watch) first"
                    .formatted(agent.id(), Durations.format(span), agent.name()));
        }
        Output out = session.output();
        if (metric != null) {
            long start = System.nanoTime();
            List<MetricStore.SeriesPoints> points = store.range(agent.id(), metric, from, to);
            showPoints(out, points, agent.id() + "", metric, json, (System.nanoTime() - start) / 1e6);
            return;
        }
        List<MetricStore.Interval> intervals = store.intervals(agent.id(), from, to);
        StoredScrape lastOk = scrapes.reversed().stream().filter(StoredScrape::ok).findFirst().orElse(null);
        Exposition latest = lastOk == null ? null : store.exposition(lastOk.id());
        RequestStats overall = intervals.isEmpty() ? null : overall(store, intervals);
        long failed = scrapes.stream().filter(s -> !s.ok()).count();
        StoredScrape lastFailure = scrapes.reversed().stream().filter(s -> !s.ok()).findFirst().orElse(null);
        if (json) {
            out.json(new Summary(agent.id(), new Window(from, to), new ScrapeCount(scrapes.size(), failed), scrapes.getLast(), lastFailure,
                    overall == null ? null : Traffic.of(overall, intervals.getFirst().from(), intervals.getLast().to()),
                    intervals.stream().map(i -> Traffic.of(i.stats(), i.from(), i.to())).toList(),
                    latest == null ? List.of() : latest.families().stream().flatMap(f -> f.samples().stream())
                            .map(s -> new LatestValue(s.name(), s.labels(), s.value(), lastOk.id())).toList()));
            return;
        }
        out.println("%s: %d scrapes in the last %s (%d failed), from %s".formatted(agent.id(), scrapes.size(),
                Durations.format(span), failed, scrapes.getLast().source() == MetricStore.Source.PROMETHEUS ? "Prometheus" : "its /metrics"));
        StoredScrape last = scrapes.getLast();
        out.println("last scrape #%d at %s: %s, %.1f ms, %d bytes, %d samples".formatted(last.id(), TIME.format(last.at()),
                last.ok() ? "ok" : last.status(), last.tookMillis(), last.bytes(), last.samples()));
        if (lastFailure != null) {
            out.println("last failure #%d at %s: %s".formatted(lastFailure.id(), TIME.format(lastFailure.at()), lastFailure.error()));
        }
        if (overall == null) {
            out.println("requests: need two successful scrapes in the window to count what happened between them");
        } else {
            out.println("requests from scrape #%d (%s) to #%d (%s): %.0f, p50 %s, p95 %s, 5xx %s".formatted(
                    intervals.getFirst().from().id(), TIME.format(intervals.getFirst().from().at()), intervals.getLast().to().id(),
                    TIME.format(intervals.getLast().to().at()), overall.requests(), millis(overall.p50Seconds()),
                    millis(overall.p95Seconds()), errors(overall)));
            out.println("p95 per interval: " + Sparkline.of(intervals.stream().map(i -> i.stats().p95Seconds()).toList()));
        }
        if (latest != null) {
            TextTable table = new TextTable("SERIES (scrape #" + lastOk.id() + ", " + TIME.format(lastOk.at()) + ")", "TYPE", "VALUE");
            for (MetricFamily f : latest.families()) {
                for (Sample s : f.samples()) {
                    table.row(series(s.name(), s.labels()), f.type().name().toLowerCase(), format(s.value()));
                }
            }
            out.println("");
            out.table(table);
        }
    }

    @Command(name = {"metrics", "query"}, group = GROUP, help = "metrics query PROMQL [--range 1h] [--step 1m] [--json]",
            description = "Run a PromQL query on the fleet's Prometheus (prometheus_url in settings.yaml). An instant query, "
                    + "or with --range a range query ending now.")
    public void query(@Arguments List<String> words,
                      @Option(longName = "range", description = "a range query over this long, ending now (e.g. 1h)") String range,
                      @Option(longName = "step", defaultValue = "1m", description = "the range query's resolution") String step,
                      @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (words == null || words.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "give a PromQL expression: metrics query 'rate(demo_requests_total[5m])'");
        }
        String promql = String.join(" ", words);
        URI url = session.settings().prometheus().orElseThrow(() -> new FleetshellException(ErrorCode.BAD_INPUT,
                "no Prometheus server is configured; add prometheus_url: http://HOST:9090 to " + session.home().settings()));
        Instant now = Instant.now();
        List<PrometheusApi.Series> result;
        try (PrometheusApi api = new PrometheusApi(url, Duration.ofSeconds(30))) {
            result = range == null ? api.query(promql, now)
                    : api.queryRange(promql, now.minus(Durations.parse(range, "--range")), now, Durations.parse(step, "--step", Duration.ofSeconds(1), Duration.ofDays(1)));
        }
        Output out = session.output();
        if (json) {
            out.json(new QueryResult(promql, result.stream().map(s -> new QuerySeries(s.labels(),
                    s.points().stream().map(p -> new QueryPoint(p.at(), p.value())).toList())).toList()));
            return;
        }
        if (result.isEmpty()) {
            out.info("no series match " + promql);
            return;
        }
        TextTable table = range == null ? new TextTable("SERIES", "VALUE") : new TextTable("SERIES", "POINTS", "FIRST", "LAST", "TREND");
        for (PrometheusApi.Series s : result) {
            Map<String, String> labels = new LinkedHashMap<>(s.labels());
            String name = labels.remove("__name__");
            if (range == null) {
                table.row(series(name == null ? "" : name, labels), format(s.points().getFirst().value()));
            } else {
                table.row(series(name == null ? "" : name, labels), s.points().size(), format(s.points().getFirst().value()),
                        format(s.points().getLast().value()), Sparkline.of(s.points().stream().map(PrometheusApi.Point::value).toList()));
            }
        }
        out.table(table);
    }

    private void showScrape(Agent agent, long id, boolean json) {
        MetricStore store = session.metrics();
        StoredScrape s = store.scrape(id).filter(x -> x.agent().equals(agent.id())).orElseThrow(() -> new FleetshellException(
                ErrorCode.UNKNOWN_NAME, "%s has no scrape #%d; metrics show %s lists its latest".formatted(agent.id(), id, agent.name())));
        Exposition e = s.ok() ? store.exposition(id) : new Exposition(io.fleetshell.engine.metrics.ExpositionFormat.TEXT, List.of());
        Output out = session.output();
        if (json) {
            out.json(new ScrapeValues(s, e.families().stream().flatMap(f -> f.samples().stream().map(x -> new ScrapeValue(f.name(),
                    f.type().name().toLowerCase(), x.name(), x.labels(), x.value()))).toList()));
            return;
        }
        out.println("scrape #%d of %s at %s from %s: %s, %.1f ms, %d bytes, %d samples".formatted(s.id(), s.agent(), s.at(), s.url(),
                s.ok() ? "ok" : s.status() + ": " + s.error(), s.tookMillis(), s.bytes(), s.samples()));
        if (s.ok()) {
            TextTable table = new TextTable("SERIES", "TYPE", "VALUE");
            e.families().forEach(f -> f.samples().forEach(x -> table.row(series(x.name(), x.labels()), f.type().name().toLowerCase(), format(x.value()))));
            out.table(table);
        }
    }

    private static RequestStats overall(MetricStore store, List<MetricStore.Interval> intervals) {
        return RequestStats.between(store.exposition(intervals.getFirst().from().id()), store.exposition(intervals.getLast().to().id()));
    }

    private void showPoints(Output out, List<MetricStore.SeriesPoints> series, String agent, String metric, boolean json, double queryMillis) {
        if (series.isEmpty()) {
            throw new FleetshellException(ErrorCode.UNKNOWN_NAME, "%s has no samples named %s in the window; metrics show %s lists its series"
                    .formatted(agent, metric, agent));
        }
        if (json) {
            out.json(new StoredSeries(agent, queryMillis, series.stream().map(s -> new SeriesView(s.name(), s.labels(),
                    s.points().stream().map(p -> new PointView(p.at(), p.value(), p.scrapeId())).toList())).toList()));
            return;
        }
        TextTable table = new TextTable("SERIES", "AT", "VALUE", "SCRAPE");
        for (MetricStore.SeriesPoints s : series) {
            for (MetricStore.Point p : s.points()) {
                table.row(series(s.name(), s.labels()), TIME.format(p.at()), format(p.value()), "#" + p.scrapeId());
            }
        }
        out.table(table);
    }

    static String millis(double seconds) {
        return Double.isNaN(seconds) ? "-" : "%.1f ms".formatted(seconds * 1000);
    }

    private static String errors(RequestStats stats) {
        return Double.isNaN(stats.errors()) ? "- (no status label on its request counters)"
                : "%.0f (%.1f%%)".formatted(stats.errors(), stats.requests() > 0 ? 100 * stats.errorRate() : 0);
    }

    static String series(String name, Map<String, String> labels) {
        return labels.isEmpty() ? name : name + labels.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** What {@code metrics import --json} prints: how much was stored, under which scrape ids, and how long it took. */
    record Imported(AgentId agent, int scrapes, long samples, Long firstScrape, Long lastScrape, double parseMs, double storeMs) {
    }

    /** What {@code metrics show --json} prints for one agent over a window. */
    record Summary(AgentId agent, Window window, ScrapeCount scrapes, StoredScrape lastScrape, StoredScrape lastFailure, Traffic requests,
                   List<Traffic> intervals, List<LatestValue> latest) {
    }

    record Window(Instant from, Instant to) {
    }

    record ScrapeCount(int total, long failed) {
    }

    /** What an agent served between two successful scrapes; a figure its metrics cannot give is null. */
    record Traffic(long fromScrape, long toScrape, Instant from, Instant to, double requests,
                   @JsonProperty("errors_5xx") @JsonSerialize(using = FiniteNumber.class) double errors,
                   @JsonSerialize(using = FiniteNumber.class) double p50Ms, @JsonSerialize(using = FiniteNumber.class) double p95Ms) {
        static Traffic of(RequestStats stats, StoredScrape from, StoredScrape to) {
            return new Traffic(from.id(), to.id(), from.at(), to.at(), stats.requests(), stats.errors(), stats.p50Seconds() * 1000,
                    stats.p95Seconds() * 1000);
        }
    }

    /** One series' value in the latest successful scrape. */
    record LatestValue(String name, Map<String, String> labels, @JsonSerialize(using = FiniteNumber.class) double value, long scrape) {
    }

    /** What {@code metrics query --json} prints: each series with its points as {@code [time, value]} pairs. */
    record QueryResult(String query, List<QuerySeries> result) {
    }

    record QuerySeries(Map<String, String> labels, List<QueryPoint> points) {
    }

    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    record QueryPoint(Instant at, @JsonSerialize(using = FiniteNumber.class) double value) {
    }

    /** What {@code metrics show --scrape ID --json} prints: the stored scrape, then every sample it gave. */
    record ScrapeValues(@JsonUnwrapped StoredScrape scrape, List<ScrapeValue> values) {
    }

    record ScrapeValue(String family, String type, String name, Map<String, String> labels,
                       @JsonSerialize(using = FiniteNumber.class) double value) {
    }

    /** What {@code metrics show --metric NAME --json} prints: every stored point of the matching series. */
    record StoredSeries(String agent, double queryMs, List<SeriesView> series) {
    }

    record SeriesView(String name, Map<String, String> labels, List<PointView> points) {
    }

    record PointView(Instant at, @JsonSerialize(using = FiniteNumber.class) double value, long scrape) {
    }
}
