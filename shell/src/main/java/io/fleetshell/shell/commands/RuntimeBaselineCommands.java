package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.compare.Gates;
import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.metrics.MetricSource;
import io.fleetshell.engine.metrics.ScrapeTarget;
import io.fleetshell.engine.runtime.ProbeSample;
import io.fleetshell.engine.runtime.RuntimeBaseline;
import io.fleetshell.engine.runtime.StartOutcome;
import io.fleetshell.engine.runtime.StartSample;
import io.fleetshell.engine.runtime.Supervisor;
import io.fleetshell.history.RuntimeStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code baseline capture} stores a runtime baseline window (optionally measuring starts, probes and scrapes
 * into it first); {@code baseline compare} runs every gate on an agent against it.
 */
@Component
public class RuntimeBaselineCommands {

    private final ShellSession session;

    public RuntimeBaselineCommands(ShellSession session) {
        this.session = session;
    }

    @Journaled
    @Command(name = {"baseline", "capture"}, group = ProfileCommands.GROUP,
            help = "baseline capture [AGENT...] [--machine M] [--window 10m] [--starts N] [--probes N] [--scrapes N] [--json]",
            completionProvider = "agentCompletion",
            description = "Store a runtime baseline: the window of time whose samples later comparisons and gates hold an agent "
                    + "to (time-to-healthy from agent starts, health-probe failures and memory, request latency and errors from "
                    + "scrapes). First measures into the window if asked: --starts N restarts each agent N times, --probes N "
                    + "probes its health N times, --scrapes N reads its metrics N times a second apart. Says which measures "
                    + "hold fewer samples than comparisons need. Without AGENT, every agent.")
    public void capture(@Arguments List<String> names,
                        @Option(longName = "machine", description = "only this machine's agents") String machine,
                        @Option(longName = "window", defaultValue = "10m", description = "how far back the window reaches") String window,
                        @Option(longName = "starts", defaultValue = "0", description = "restarts per agent, each a time-to-healthy sample") Integer starts,
                        @Option(longName = "probes", defaultValue = "0", description = "health probes per agent") Integer probes,
                        @Option(longName = "scrapes", defaultValue = "0", description = "metric scrapes per agent, 1 s apart") Integer scrapes,
                        @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        Duration span = Durations.parse(window, "--window");
        if (starts < 0 || probes < 0 || scrapes < 0 || starts > 100 || probes > 1000 || scrapes > 1000) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--starts (0-100), --probes and --scrapes (0-1000) must be in range");
        }
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        List<Agent> agents = AgentLookup.selected(inventory, names, machine);
        Output out = session.output();
        RuntimeStore runtime = session.runtime();
        Thresholds thresholds = session.settings().thresholds();
        measure(inventory, agents, starts, probes, scrapes, out);
        Instant end = Instant.now();
        Instant start = end.minus(span);
        Gates gates = session.gates(inventory);
        List<CapturedBaseline> captured = new ArrayList<>();
        TextTable table = new TextTable("MACHINE", "AGENT", "V", "WINDOW", "STARTS", "PROBES", "RSS", "TRAFFIC INTERVALS", "NOTE").note("NOTE");
        for (Agent agent : agents) {
            Map<String, Object> counts = counts(runtime, agent, start, end);
            RuntimeBaseline b = runtime.captureBaseline(agent.id(), start, end, counts);
            List<String> thin = new ArrayList<>();
            for (String key : List.of("healthy_starts", "rss_samples", "traffic_intervals")) {
                if (((Number) counts.get(key)).intValue() < thresholds.minimumSamples()) {
                    thin.add(key.replace('_', ' '));
                }
            }
            if (((Number) counts.get("probes")).intValue() < thresholds.minimumTrials()) {
                thin.add("probes");
            }
            String note = thin.isEmpty() ? "" : "thin: " + String.join(", ", thin) + " (need %d samples, %d probes)".formatted(
                    thresholds.minimumSamples(), thresholds.minimumTrials());
            table.row(agent.machine(), agent.name(), b.version(), Durations.format(span), counts.get("healthy_starts"),
                    counts.get("probes"), counts.get("rss_samples"), counts.get("traffic_intervals"), note);
            captured.add(new CapturedBaseline(agent.id(), b.version(), b.id(), b.windowStart(), b.windowEnd(), counts, thin));
        }
        session.journal().summary("captured runtime baselines of %d agents over %s".formatted(agents.size(), Durations.format(span)));
        session.journal().agents(agents.stream().map(Agent::id).toList());
        if (json) {
            out.json(Map.of("runtime_baselines", captured));
            return;
        }
        out.table(table);
        if (captured.stream().anyMatch(c -> !c.thin().isEmpty())) {
            out.info("Comparisons on a thin measure hold (\"insufficient data\") instead of deciding: measure more with --starts, "
                    + "--probes, --scrapes (with traffic to the agents), or widen --window. The window is stored either way (gates: %s)."
                    .formatted(String.join(", ", gates.all().stream().map(g -> g.name()).toList())));
        }
    }

    @Command(name = {"baseline", "compare"}, group = ProfileCommands.GROUP, help = "baseline compare AGENT [--since TIME|DURATION] [--json]",
            completionProvider = "agentCompletion",
            description = "Run every gate on one agent: health now, and time-to-healthy, p95 latency, error rate and memory since "
                    + "--since against its baseline window (its newest runtime baseline, else the 24h before --since). Each "
                    + "decision is a test on the raw samples, stored with its evidence; thin data holds. Exits 1 unless every "
                    + "gate passes.")
    public void compare(@Argument(index = 0) String name,
                        @Option(longName = "since", description = "the change: an ISO time (2026-11-03T10:00:00Z) or how long ago (10m); "
                                + "default: the end of the newest runtime baseline") String since,
                        @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (name == null || name.isBlank()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name one agent: baseline compare AGENT");
        }
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        Agent agent = AgentLookup.agent(inventory, name);
        Instant change = since == null ? session.runtime().runtimeBaseline(agent.id()).map(RuntimeBaseline::windowEnd)
                .orElseThrow(() -> new FleetshellException(ErrorCode.BAD_INPUT, ("%s has no runtime baseline to compare after; give "
                        + "--since (e.g. --since 10m) or run baseline capture %s first").formatted(agent.id(), agent.name())))
                : parseSince(since);
        List<GateDecision> decisions = session.gates(inventory).evaluate(agent, change);
        Output out = session.output();
        if (json) {
            out.json(new Comparison(agent.id(), change, decisions));
        } else {
            out.println("%s since %s:".formatted(agent.id(), change));
            TextTable table = new TextTable("GATE", "VERDICT", "SUMMARY", "RULE", "DECISION").note("SUMMARY");
            for (GateDecision d : decisions) {
                String verdict = switch (d.verdict()) {
                    case PASS -> out.style("PASS", "32");
                    case FAIL -> out.style("FAIL", "31");
                    case HOLD -> out.style("HOLD", "33");
                };
                table.row(d.gate(), verdict, d.summary(), d.rule(), "#" + d.evidence().get("decision_id"));
            }
            out.table(table);
        }
        long notPassed = decisions.stream().filter(d -> d.verdict() != GateDecision.Verdict.PASS).count();
        if (notPassed > 0) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "%d of %d gates did not pass for %s (each decision is stored with its evidence)"
                    .formatted(notPassed, decisions.size(), agent.id()));
        }
    }

    /** One agent's line of {@code baseline capture --json}: the stored window, its sample counts and the thin measures. */
    record CapturedBaseline(AgentId agent, int version, long id, Instant windowStart, Instant windowEnd, Map<String, Object> samples,
                            List<String> thin) {
    }

    /** What {@code baseline compare --json} prints: every gate's decision on one agent since the change. */
    record Comparison(AgentId agent, Instant since, List<GateDecision> decisions) {
    }

    private void measure(Inventory inventory, List<Agent> agents, int starts, int probes, int scrapes, Output out) {
        if (starts > 0) {
            Supervisor supervisor = new Supervisor(session.home(), inventory, session.runtime(), Duration.ofSeconds(30), Duration.ofSeconds(10));
            for (Agent agent : agents) {
                for (int i = 1; i <= starts; i++) {
                    StartOutcome outcome = supervisor.restart(agent);
                    out.info("  %s start %d/%d: %s".formatted(agent.id(), i, starts, outcome.summary()));
                    if (!(outcome instanceof StartOutcome.Healthy)) {
                        break;
                    }
                }
            }
        }
        if (probes > 0) {
            Supervisor supervisor = new Supervisor(session.home(), inventory, session.runtime(), Duration.ofSeconds(30), Duration.ofSeconds(10));
            for (Agent agent : agents) {
                for (int i = 0; i < probes; i++) {
                    supervisor.status(agent); // stores the probe, with the memory of the process when fleetshell runs it
                }
            }
            out.info("  probed %d agent%s %d times each".formatted(agents.size(), agents.size() == 1 ? "" : "s", probes));
        }
        if (scrapes > 0) {
            Supervisor reached = new Supervisor(session.home(), inventory, session.runtime(), Duration.ofSeconds(30), Duration.ofSeconds(10));
            List<ScrapeTarget> targets = agents.stream().flatMap(a -> (session.settings().prometheus().isPresent() ? ScrapeTarget.of(a)
                    : reached.metricsTarget(a)).stream()).toList();
            try (MetricSource source = MetricTargets.source(session.settings(), Duration.ofSeconds(5))) {
                for (int i = 1; i <= scrapes; i++) {
                    session.metrics().save(source.read(targets), MetricTargets.kind(source));
                    if (i < scrapes) {
                        sleep();
                    }
                }
            }
            out.info("  scraped %d target%s %d times".formatted(targets.size(), targets.size() == 1 ? "" : "s", scrapes));
        }
    }

    private Map<String, Object> counts(RuntimeStore runtime, Agent agent, Instant start, Instant end) {
        List<StartSample> starts = runtime.starts(agent.id(), start, end);
        List<ProbeSample> probes = runtime.probes(agent.id(), start, end);
        long intervals = session.metrics().intervals(agent.id(), start, end).stream().filter(i -> i.stats().requests() > 0).count();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("starts", starts.size());
        m.put("healthy_starts", starts.stream().filter(StartSample::healthy).count());
        m.put("probes", probes.size());
        m.put("failed_probes", probes.stream().filter(p -> !p.probe().healthy()).count());
        m.put("rss_samples", probes.stream().filter(p -> p.probe().rssKb() != null).count());
        m.put("traffic_intervals", intervals);
        return m;
    }

    static Instant parseSince(String since) {
        try {
            return Instant.parse(since);
        } catch (DateTimeParseException e) {
            return Instant.now().minus(Durations.parse(since, "--since"));
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted while scraping; the scrapes so far are stored");
        }
    }
}
