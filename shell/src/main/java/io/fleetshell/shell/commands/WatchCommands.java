package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.metrics.MetricSource;
import io.fleetshell.engine.metrics.ScrapeResult;
import io.fleetshell.engine.metrics.ScrapeTarget;
import io.fleetshell.history.MetricStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.FiniteNumber;
import io.fleetshell.shell.watch.Dashboard;
import io.fleetshell.shell.watch.WatchFacts;
import io.fleetshell.shell.watch.Change;
import io.fleetshell.shell.watch.WatchLoop;
import io.fleetshell.shell.watch.WatchModel;
import io.fleetshell.shell.watch.WatchState;
import org.jline.terminal.Terminal;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;
import tools.jackson.databind.annotation.JsonSerialize;

import com.sun.management.OperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code watch}: the live dashboard of agents' health, latency against baseline, errors and alerts. */
@Component
public class WatchCommands {

    /** An earlier scrape older than this does not start the first interval: the figures would describe the past. */
    static final Duration PRIME_WITHIN = Duration.ofHours(1);

    private final ShellSession session;
    private final ObjectProvider<Terminal> terminal;

    public WatchCommands(ShellSession session, ObjectProvider<Terminal> terminal) {
        this.session = session;
        this.terminal = terminal;
    }

    @Command(name = "watch", group = MetricsCommands.GROUP, help = "watch [AGENT... | --machine M] [--interval 2s] [--once] [--json]",
            completionProvider = "agentCompletion",
            description = "Show a live dashboard of the agents' health, latency and alerts. Per agent: status, time-to-healthy, "
                    + "p95 latency with a trend, change against baseline coloured by the thresholds (target +40%, minimum +20%, "
                    + "regression alert -5%), 5xx rate and alerts; totals and active alerts below. Every cycle's "
                    + "samples are stored. Keys: / filters, s cycles the sort column, arrows and PgUp/PgDn scroll, Enter opens the "
                    + "selected agent's detail (latest scrapes, start history, last gate decisions, log tail), ? shows the keys, "
                    + "q or Ctrl-C leaves. --once prints one frame for scripts.")
    public void watch(@Arguments List<String> names,
                      @Option(longName = "machine", description = "only this machine's agents") String machine,
                      @Option(longName = "interval", defaultValue = "2s", description = "time between cycles, up to 1h, e.g. 500ms, 2s, 1m; 0 for no wait") String interval,
                      @Option(longName = "once", description = "print one frame and leave (for scripts)") boolean once,
                      @Option(longName = "json", description = "with --once: the frame's figures as JSON on stdout") boolean json) {
        Duration every = Durations.parse(interval, "--interval", Duration.ZERO, Duration.ofHours(1));
        if (json && !once) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--json needs --once: a live dashboard has no JSON form");
        }
        Output out = session.output();
        io.fleetshell.engine.inventory.Inventory inventory = session.inventoryStore().inventory();
        List<Agent> agents = MetricTargets.agents(inventory, names, machine);
        io.fleetshell.engine.runtime.Supervisor supervisor = new io.fleetshell.engine.runtime.Supervisor(session.home(), inventory,
                session.runtime(), Duration.ofSeconds(30), Duration.ofSeconds(10));
        Map<AgentId, RuntimeWatchFacts.AgentLog> logs = new java.util.HashMap<>();
        agents.forEach(a -> logs.put(a.id(), new RuntimeWatchFacts.AgentLog(supervisor.logShown(a), n -> supervisor.lastLogQuietly(a, n))));
        List<ScrapeTarget> targets = MetricTargets.targets(agents, out, session.settings(), supervisor);
        MetricStore store = session.metrics();
        // A target must not hold a cycle up much longer than the interval; 5 s is enough for any honest endpoint.
        Duration timeout = Duration.ofMillis(Math.max(200, Math.min(5_000, every.toMillis() * 4 / 5)));
        try (MetricSource source = MetricTargets.source(session.settings(), timeout)) {
            RuntimeWatchFacts facts = new RuntimeWatchFacts(session, session.settings().thresholds(), logs::get);
            WatchState state = new WatchState(every, source.describe(), session.settings().thresholds(), facts);
            Instant now = Instant.now();
            Instant since = now.minus(PRIME_WITHIN);
            for (ScrapeTarget t : targets) {
                store.latestOk(t.agent(), since).ifPresent(s -> state.prime(t.agent(), store.exposition(s.id())));
                // An agent with a runtime baseline is judged on its recent intervals: those stored since the window
                // ended (by earlier watches or metrics scrape) count, so even --once has a comparison to show.
                facts.baselineEnd(t.agent()).ifPresent(end -> state.seed(t.agent(),
                        store.intervals(t.agent(), end.isAfter(since) ? end : since, now).stream()
                                .map(i -> new WatchFacts.P95(i.to().id(), i.stats().p95Seconds())).toList()));
            }
            MetricStore.Source kind = MetricTargets.kind(source);
            OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
            WatchLoop.Cycle cycle = () -> {
                long start = System.nanoTime();
                long cpuStart = os.getProcessCpuTime();
                List<ScrapeResult> results = source.read(targets);
                List<Long> ids = store.save(results, kind).stream().map(MetricStore.StoredScrape::id).toList();
                return state.update(results, ids, Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(os.getProcessCpuTime() - cpuStart));
            };
            if (once) {
                primeUnprimed(out, targets, state, source, kind, store, every);
                WatchModel model = cycle.next();
                if (json) {
                    out.json(Frame.of(model));
                } else {
                    out.println(Dashboard.render(model, 0, 0, false).stripTrailing());
                }
                return;
            }
            Terminal t = terminal.getIfAvailable();
            if (t == null) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "watch needs a terminal; use watch --once in scripts");
            }
            WatchLoop.run(t, cycle, every, facts);
        }
    }

    /**
     * Latency and errors are what happened between two scrapes: agents without a recent stored scrape are scraped
     * once more, {@code every} before the frame's cycle.
     */
    private static void primeUnprimed(Output out, List<ScrapeTarget> targets, WatchState state, MetricSource source,
                                      MetricStore.Source kind, MetricStore store, Duration every) {
        List<ScrapeTarget> unprimed = targets.stream().filter(t -> !state.primed(t.agent())).toList();
        if (unprimed.isEmpty()) {
            return;
        }
        out.info("%d agent%s had no scrape in the last hour; scraping %s first, %s before the frame".formatted(unprimed.size(),
                unprimed.size() == 1 ? "" : "s", unprimed.size() == 1 ? "it" : "them", Durations.format(every)));
        List<ScrapeResult> first = source.read(unprimed);
        store.save(first, kind);
        for (ScrapeResult r : first) {
            if (r instanceof ScrapeResult.Scraped ok) {
                state.prime(r.target().agent(), ok.exposition());
            }
        }
        sleep(every);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted");
        }
    }

    /** What {@code watch --once --json} prints: the frame's totals and one row per agent, latencies in ms. */
    record Frame(Instant at, String source, long tookMs, double cpuMs, int agents, long up, double healthPercent, long improved,
                 long regressed, Map<String, Object> thresholds, List<FrameRow> rows) {
        static Frame of(WatchModel model) {
            return new Frame(model.at(), model.source(), model.took().toMillis(), model.cpu().toNanos() / 1e6, model.rows().size(),
                    model.up(), model.healthPercent(), model.count(Change.Verdict.TARGET, Change.Verdict.IMPROVED),
                    model.count(Change.Verdict.REGRESSED), model.thresholds().asEvidence(), model.rows().stream().map(FrameRow::of).toList());
        }
    }

    /** One agent's row of a frame; a figure not measured yet is null. */
    record FrameRow(AgentId agent, String status, @JsonSerialize(using = FiniteNumber.class) double timeToHealthyS,
                    @JsonSerialize(using = FiniteNumber.class) double p95Ms,
                    @JsonSerialize(contentUsing = FiniteNumber.class) List<Double> p95HistoryMs, double requests,
                    @JsonSerialize(using = FiniteNumber.class) double errorRate, Change change, List<String> alerts) {
        static FrameRow of(WatchModel.Row r) {
            return new FrameRow(r.agent(), r.status().name().toLowerCase(), r.timeToHealthySeconds(), r.p95Seconds() * 1000,
                    r.p95History().stream().map(v -> v * 1000).toList(), r.requests(), r.errorRate(), r.change(), r.alerts());
        }
    }
}
