package io.fleetshell.engine.health;

import io.fleetshell.engine.compare.Gates;
import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.compare.TrafficHistory;
import io.fleetshell.engine.gate.Gate;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.metrics.MetricSource;
import io.fleetshell.engine.metrics.ScrapeResult;
import io.fleetshell.engine.metrics.ScrapeTarget;
import io.fleetshell.engine.runtime.AgentStatus;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.runtime.ProbeSample;
import io.fleetshell.engine.runtime.RuntimeBaseline;
import io.fleetshell.engine.runtime.RuntimeHistory;
import io.fleetshell.engine.runtime.StartSample;
import io.fleetshell.engine.runtime.Supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Assesses the fleet now: probes every agent (storing each probe), reads every answering agent's metrics
 * (storing each scrape), runs the comparison gates of every agent with a runtime baseline (storing each
 * decision), and reads the recent starts and probes. Each of the eight categories is built from those
 * measurements only.
 */
public final class FleetHealth {

    /** How far back "recent" reaches for error rates, latencies and restarts. */
    public static final Duration RECENT = Duration.ofMinutes(15);
    static final Duration STABILITY_WINDOW = Duration.ofHours(1);

    /** Stores scrape results and returns their ids, in order. */
    @FunctionalInterface
    public interface ScrapeRecorder {
        List<Long> store(List<ScrapeResult> results);
    }

    private final Inventory inventory;
    private final Supervisor supervisor;
    private final RuntimeHistory history;
    private final TrafficHistory traffic;
    private final Gates gates;
    private final Thresholds thresholds;
    private final Function<Agent, Optional<Instant>> deployedAt;
    private final Function<Agent, Optional<String>> scriptError;

    /**
     * @param deployedAt when the agent's script was last changed by an optimization, or empty when it never was
     */
    public FleetHealth(Inventory inventory, Supervisor supervisor, RuntimeHistory history, TrafficHistory traffic, Gates gates,
                       Thresholds thresholds, Function<Agent, Optional<String>> scriptError, Function<Agent, Optional<Instant>> deployedAt) {
        this.inventory = inventory;
        this.supervisor = supervisor;
        this.history = history;
        this.traffic = traffic;
        this.gates = gates;
        this.thresholds = thresholds;
        this.deployedAt = deployedAt;
        this.scriptError = scriptError;
    }

    /** Without a check of the agents' scripts: advice for an agent that does not answer is to start it. */
    public FleetHealth(Inventory inventory, Supervisor supervisor, RuntimeHistory history, TrafficHistory traffic, Gates gates,
                       Thresholds thresholds, Function<Agent, Optional<Instant>> deployedAt) {
        this(inventory, supervisor, history, traffic, gates, thresholds, agent -> Optional.empty(), deployedAt);
    }

    public HealthReport assess(MetricSource metrics, ScrapeRecorder recorder) {
        Instant now = Instant.now();
        List<Agent> agents = inventory.agents();
        List<AgentStatus> statuses = supervisor.statusAll(agents);
        Map<AgentId, AgentStatus> byAgent = new LinkedHashMap<>();
        statuses.forEach(s -> byAgent.put(s.agent(), s));
        List<HealthCategory> categories = List.of(
                metricsInfrastructure(agents, byAgent, metrics, recorder),
                connectivity(agents, byAgent),
                performance(agents, byAgent, now),
                errorRate(agents, now),
                coordination(byAgent),
                optimizationImpact(agents, byAgent),
                regressions(agents),
                stability(agents, byAgent, now));
        return new HealthReport(now, categories, thresholds.healthMinimum() * 100);
    }

    private HealthCategory metricsInfrastructure(List<Agent> agents, Map<AgentId, AgentStatus> status, MetricSource metrics,
                                                 ScrapeRecorder recorder) {
        List<ScrapeTarget> targets = agents.stream().filter(a -> status.get(a.id()).healthy())
                .flatMap(a -> supervisor.metricsTarget(a).stream()).toList();
        List<HealthCheck> checks = new ArrayList<>();
        if (targets.isEmpty()) {
            checks.add(HealthCheck.fail("a metrics target is reachable", "no agent answers its health check, so no /metrics to read from "
                    + metrics.describe(), "start the agents (agents start) and run health again", false, Map.of()));
            return new HealthCategory("metrics infrastructure", checks);
        }
        List<ScrapeResult> results = metrics.read(targets);
        List<Long> ids = recorder.store(results);
        for (int i = 0; i < results.size(); i++) {
            ScrapeResult r = results.get(i);
            String name = "%s metrics readable from %s".formatted(r.target().agent(), metrics.describe());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("url", r.target().uri().toString());
            data.put("scrape_id", ids.get(i));
            data.put("took_ms", r.took().toNanos() / 1e6);
            switch (r) {
                case ScrapeResult.Scraped s -> {
                    data.put("families", s.exposition().families().size());
                    checks.add(HealthCheck.pass(name, "%d metric families, %d bytes in %.0f ms (scrape #%d)".formatted(
                            s.exposition().families().size(), s.bytes(), r.took().toNanos() / 1e6, ids.get(i)), data));
                }
                case ScrapeResult.Failed f -> {
                    data.put("failure", f.failure().name().toLowerCase());
                    checks.add(HealthCheck.fail(name, "%s (scrape #%d)".formatted(f.message(), ids.get(i)),
                            "fix the agent's /metrics endpoint (" + r.target().uri() + "): " + f.failure().name().toLowerCase(), false, data));
                }
            }
        }
        return new HealthCategory("metrics infrastructure", checks);
    }

    private HealthCategory connectivity(List<Agent> agents, Map<AgentId, AgentStatus> status) {
        List<HealthCheck> checks = new ArrayList<>();
        int probed = 0;
        int healthy = 0;
        for (Agent agent : agents) {
            AgentStatus s = status.get(agent.id());
            String name = agent.id() + " answers its health check";
            if (s.probe() == null) {
                checks.add(HealthCheck.skipped(name, "no health_check_port or port in its config",
                        "add health_check_port to %s:%d".formatted(agent.configFile(), agent.configLine())));
                continue;
            }
            probed++;
            if (s.healthy()) {
                healthy++;
            }
            String answer = s.probe().oneLine();
            checks.add(HealthCheck.of(s.healthy(), name, answer.startsWith(s.probe().target()) ? answer : s.probe().target() + ": " + answer,
                    startAdvice(agent, s), agent.required(), probeData(s.probe())));
        }
        double share = probed == 0 ? 0 : (double) healthy / probed;
        checks.add(HealthCheck.of(probed > 0 && share >= thresholds.minHealthyAgents(),
                "at least %.0f%% of agents healthy".formatted(thresholds.minHealthyAgents() * 100),
                "%d of %d agents answer (%.1f%%)".formatted(healthy, probed, share * 100),
                "start or fix the agents that do not answer (listed above)", true,
                ordered("healthy", healthy, "probed", probed)));
        return new HealthCategory("agent discovery and connectivity", checks);
    }

    private HealthCategory performance(List<Agent> agents, Map<AgentId, AgentStatus> status, Instant now) {
        List<HealthCheck> checks = new ArrayList<>();
        double limitMs = thresholds.maxResponseTime().toMillis();
        for (Agent agent : agents) {
            AgentStatus s = status.get(agent.id());
            if (s.probe() == null || s.probe().outcome() == ProbeResult.Outcome.UNREACHABLE) {
                continue; // nothing answered: connectivity reports it
            }
            ProbeResult p = s.probe();
            checks.add(HealthCheck.of(p.outcome() != ProbeResult.Outcome.TIMEOUT && p.millis() <= limitMs,
                    "%s answers within %s".formatted(agent.id(), human(thresholds.maxResponseTime())),
                    "health answer in %.0f ms".formatted(p.millis()), "find what makes %s slow (its log: %s)".formatted(agent.name(),
                            supervisor.logShown(agent)), false, probeData(p)));
            List<TrafficHistory.Interval> recent = traffic.intervals(agent.id(), now.minus(RECENT), now).stream()
                    .filter(i -> i.stats().requests() > 0 && !Double.isNaN(i.stats().p95Seconds())).toList();
            if (!recent.isEmpty()) {
                TrafficHistory.Interval worst = recent.stream().max(java.util.Comparator.comparingDouble(i -> i.stats().p95Seconds())).orElseThrow();
                double p95 = worst.stats().p95Seconds() * 1000;
                checks.add(HealthCheck.of(p95 <= limitMs, "%s request p95 within %s".formatted(agent.id(), human(thresholds.maxResponseTime())),
                        "worst p95 %.1f ms over %d scrape intervals in the last %s (scrapes #%d-#%d)".formatted(p95, recent.size(),
                                human(RECENT), worst.fromScrape(), worst.toScrape()),
                        "profile %s's slow requests; its p95 exceeds the limit".formatted(agent.name()), false,
                        ordered("p95_ms", p95, "from_scrape", worst.fromScrape(), "to_scrape", worst.toScrape())));
            }
        }
        if (checks.isEmpty()) {
            checks.add(HealthCheck.skipped("response times", "no agent answered, so there is no response time to check",
                    "start the agents (agents start)"));
        }
        return new HealthCategory("performance", checks);
    }

    private HealthCategory errorRate(List<Agent> agents, Instant now) {
        List<HealthCheck> checks = new ArrayList<>();
        for (Agent agent : agents) {
            List<TrafficHistory.Interval> labelled = traffic.intervals(agent.id(), now.minus(RECENT), now).stream()
                    .filter(i -> i.stats().requests() > 0 && !Double.isNaN(i.stats().errors())).toList();
            String name = "%s error rate at most %.0f%%".formatted(agent.id(), thresholds.maxErrorRate() * 100);
            if (!labelled.isEmpty()) {
                double requests = labelled.stream().mapToDouble(i -> i.stats().requests()).sum();
                double errors = labelled.stream().mapToDouble(i -> i.stats().errors()).sum();
                checks.add(HealthCheck.of(errors / requests <= thresholds.maxErrorRate(), name,
                        "%.0f of %.0f requests answered 5xx in the last %s (%.2f%%, scrapes #%d-#%d)".formatted(errors, requests,
                                human(RECENT), 100 * errors / requests, labelled.getFirst().fromScrape(), labelled.getLast().toScrape()),
                        "read %s's log for the failing requests".formatted(agent.name()), false,
                        ordered("errors", errors, "requests", requests)));
                continue;
            }
            List<ProbeSample> probes = history.probes(agent.id(), now.minus(RECENT), now.plusSeconds(1));
            if (probes.isEmpty()) {
                continue;
            }
            List<Long> failed = probes.stream().filter(p -> !p.probe().healthy()).map(ProbeSample::id).toList();
            double rate = (double) failed.size() / probes.size();
            checks.add(HealthCheck.of(rate <= thresholds.maxErrorRate(), name,
                    "%d of %d health probes failed in the last %s (%.1f%%; its metrics carry no status label)%s".formatted(failed.size(),
                            probes.size(), human(RECENT), rate * 100, failed.isEmpty() ? "" : ", failed probe ids " + abbreviate(failed)),
                    "see why %s's health check fails (agents status %s)".formatted(agent.name(), agent.name()), false,
                    ordered("failed_probe_ids", failed, "probes", probes.size())));
        }
        if (checks.isEmpty()) {
            checks.add(HealthCheck.skipped("error rates", "no requests or probes recorded in the last " + human(RECENT), "run health again"));
        }
        return new HealthCategory("error rate", checks);
    }

    private HealthCategory coordination(Map<AgentId, AgentStatus> status) {
        List<HealthCheck> checks = new ArrayList<>();
        for (Machine machine : inventory.machines()) {
            List<AgentStatus> own = status.values().stream().filter(s -> s.agent().machine().equals(machine.name()) && s.probe() != null).toList();
            if (own.isEmpty()) {
                continue;
            }
            // A refused connection is an answer from the host too: only timeouts and routing errors say it is unreachable.
            List<AgentStatus> reached = own.stream().filter(s -> s.probe().outcome() != ProbeResult.Outcome.TIMEOUT
                    && (s.probe().outcome() != ProbeResult.Outcome.UNREACHABLE || String.valueOf(s.probe().detail()).contains("refused"))).toList();
            checks.add(HealthCheck.of(!reached.isEmpty(), "machine %s reachable".formatted(machine.name()),
                    "%d of %d agents' hosts answered (a refused connection counts: the host replied)".formatted(reached.size(), own.size()),
                    "check the network path to %s's hosts".formatted(machine.name()), true, ordered("reached", reached.size())));
            List<AgentStatus> dated = own.stream().filter(s -> s.probe().clockSkewMillis() != null).toList();
            if (dated.isEmpty()) {
                checks.add(HealthCheck.skipped("machine %s clock within %s".formatted(machine.name(), human(thresholds.clockTolerance())),
                        "no agent answered with a Date header", "start the agents; their HTTP answers carry the Date"));
            } else {
                AgentStatus worst = dated.stream().max(java.util.Comparator.comparingLong(s -> Math.abs(s.probe().clockSkewMillis()))).orElseThrow();
                long skew = worst.probe().clockSkewMillis();
                // The Date header has whole seconds: up to 1 s of apparent skew is resolution, not drift.
                checks.add(HealthCheck.of(Math.abs(skew) <= thresholds.clockTolerance().toMillis() + 1000,
                        "machine %s clock within %s".formatted(machine.name(), human(thresholds.clockTolerance())),
                        "largest difference %+d ms (%s's Date header, 1 s resolution) over %d agents".formatted(skew, worst.agent(), dated.size()),
                        "synchronize %s's clock (chrony or systemd-timesyncd)".formatted(machine.name()), false,
                        ordered("max_skew_ms", skew, "agent", worst.agent().toString())));
            }
            List<AgentStatus> named = own.stream().filter(s -> s.healthy() && s.probe().reportedAgent() != null).toList();
            List<String> mismatched = named.stream().filter(s -> !s.probe().reportedAgent().equals(s.agent().name()))
                    .map(s -> "%s's port serves %s".formatted(s.agent().name(), s.probe().reportedAgent())).toList();
            if (named.isEmpty()) {
                checks.add(HealthCheck.skipped("machine %s agents match their configs".formatted(machine.name()),
                        "no answering agent reports its name", "have /health report {\"agent\": NAME}"));
            } else {
                checks.add(HealthCheck.of(mismatched.isEmpty(), "machine %s agents match their configs".formatted(machine.name()),
                        mismatched.isEmpty() ? "all %d answering agents report the names their configs give".formatted(named.size())
                                : String.join("; ", mismatched),
                        "a port serves another agent than the config says: fix the ports in the config or stop the stray process", true,
                        ordered("checked", named.size(), "mismatched", mismatched)));
            }
        }
        return new HealthCategory("cross-machine coordination", checks);
    }

    private HealthCategory optimizationImpact(List<Agent> agents, Map<AgentId, AgentStatus> status) {
        List<HealthCheck> checks = new ArrayList<>();
        for (Agent agent : agents) {
            Optional<Instant> deployed = deployedAt.apply(agent);
            if (deployed.isEmpty()) {
                continue;
            }
            Instant since = deployed.get();
            List<StartSample> failedStarts = history.starts(agent.id(), since, Instant.now()).stream().filter(s -> !s.healthy()).toList();
            List<ProbeSample> probes = history.probes(agent.id(), since, Instant.now().plusSeconds(1));
            long failedProbes = probes.stream().filter(p -> !p.probe().healthy()).count();
            boolean stable = status.get(agent.id()).healthy() && failedStarts.isEmpty() && failedProbes == 0;
            checks.add(HealthCheck.of(stable, "%s stable since its optimized script was deployed".formatted(agent.id()),
                    "deployed %s; since then %d failed starts, %d of %d probes failed; answers now: %s".formatted(since,
                            failedStarts.size(), failedProbes, probes.size(), status.get(agent.id()).healthy() ? "yes" : "no"),
                    "compare %s with its baseline (baseline compare %s --since %s) and roll it back if it regressed".formatted(agent.name(),
                            agent.name(), since), true,
                    ordered("deployed_at", since.toString(), "failed_start_ids", failedStarts.stream().map(StartSample::id).toList(),
                            "failed_probes", failedProbes)));
        }
        if (checks.isEmpty()) {
            checks.add(HealthCheck.skipped("optimized agents stable", "no agent's script differs from the version first profiled",
                    "nothing to check until an optimization is deployed"));
        }
        return new HealthCategory("optimization impact", checks);
    }

    private HealthCategory regressions(List<Agent> agents) {
        List<HealthCheck> checks = new ArrayList<>();
        List<String> without = new ArrayList<>();
        List<Gate> comparisons = gates.all().stream().filter(g -> !g.name().equals(Gates.HEALTH)).toList();
        for (Agent agent : agents) {
            Optional<RuntimeBaseline> baseline = history.runtimeBaseline(agent.id());
            if (baseline.isEmpty()) {
                without.add(agent.name());
                continue;
            }
            List<GateDecision> decisions = comparisons.stream().map(g -> g.evaluate(agent, baseline.get().windowEnd())).toList();
            List<GateDecision> failed = decisions.stream().filter(d -> d.verdict() == GateDecision.Verdict.FAIL).toList();
            List<GateDecision> passed = decisions.stream().filter(d -> d.verdict() == GateDecision.Verdict.PASS).toList();
            String ids = String.join(", ", decisions.stream().map(d -> d.gate() + " " + d.verdict() + " #" + d.evidence().get("decision_id")).toList());
            String name = "%s no worse than its baseline v%d beyond %s".formatted(agent.id(), baseline.get().version(),
                    Thresholds.percent(thresholds.regressionAlert()));
            Map<String, Object> data = ordered("decision_ids", decisions.stream().map(d -> d.evidence().get("decision_id")).toList());
            if (!failed.isEmpty()) {
                checks.add(HealthCheck.fail(name, failed.stream().map(GateDecision::summary).reduce((a, b) -> a + "; " + b).orElse("") + " (" + ids + ")",
                        "find the change behind it (history --agent %s) and roll it back".formatted(agent.name()), true, data));
            } else if (!passed.isEmpty()) {
                checks.add(HealthCheck.pass(name, ids, data));
            } else {
                checks.add(HealthCheck.skipped(name, "every comparison held for lack of data (" + ids + ")",
                        "measure more since the baseline (agents restart, metrics scrape with traffic, agents status)"));
            }
        }
        if (!without.isEmpty()) {
            checks.add(HealthCheck.skipped("agents without a runtime baseline", "%d agents: %s".formatted(without.size(), String.join(", ", without)),
                    "baseline capture --starts 5 --probes 30 stores one"));
        }
        return new HealthCategory("regression detection", checks);
    }

    private HealthCategory stability(List<Agent> agents, Map<AgentId, AgentStatus> status, Instant now) {
        List<HealthCheck> checks = new ArrayList<>();
        for (Agent agent : agents) {
            AgentStatus s = status.get(agent.id());
            List<StartSample> starts = history.starts(agent.id(), now.minus(STABILITY_WINDOW), now.plusSeconds(1));
            List<StartSample> failed = starts.stream().filter(x -> !x.healthy()).toList();
            String name = "%s stable".formatted(agent.id());
            if (s.supervision() == AgentStatus.Supervision.NOT_STARTED && starts.isEmpty()) {
                continue; // fleetshell knows nothing of its process: connectivity says whether it answers
            }
            if (s.supervision() == AgentStatus.Supervision.EXITED) {
                checks.add(HealthCheck.fail(name, s.note(), scriptError.apply(agent).map(e -> fixFirst(agent, e))
                        .orElse("read its log (%s), then agents start %s".formatted(supervisor.logShown(agent), agent.name())), true,
                        ordered("state", "exited")));
                continue;
            }
            String uptime = s.process() == null ? "" : ", up %s".formatted(human(Duration.between(s.process().spawnedAt(), now)));
            checks.add(HealthCheck.of(failed.isEmpty(), name, "%d starts in the last hour, %d never became healthy%s%s".formatted(starts.size(),
                            failed.size(), uptime, failed.isEmpty() ? "" : " (start ids " + abbreviate(failed.stream().map(StartSample::id).toList()) + ")"),
                    "read its log (%s) for why starts fail".formatted(supervisor.logShown(agent)), false,
                    ordered("starts", starts.size(), "failed_start_ids", failed.stream().map(StartSample::id).toList())));
        }
        if (checks.isEmpty()) {
            checks.add(HealthCheck.skipped("agents stable", "fleetshell has started no agent and recorded no start",
                    "agents start runs them under fleetshell, which then tracks crashes and restarts"));
        }
        return new HealthCategory("system stability", checks);
    }

    private static Map<String, Object> probeData(ProbeResult p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", p.target());
        m.put("outcome", p.outcome().name().toLowerCase());
        m.put("status_code", p.statusCode());
        m.put("millis", p.millis());
        m.put("clock_skew_ms", p.clockSkewMillis());
        return m;
    }

    /**
     * What to do about an agent that does not answer. Starting one whose script does not parse would only crash it
     * again, so then the advice is the fix.
     */
    private String startAdvice(Agent agent, AgentStatus s) {
        boolean startWouldBeAdvised = s.supervision() == AgentStatus.Supervision.NOT_STARTED
                || s.supervision() == AgentStatus.Supervision.EXITED;
        if (!s.healthy() && startWouldBeAdvised) {
            Optional<String> error = scriptError.apply(agent);
            if (error.isPresent()) {
                return fixFirst(agent, error.get());
            }
        }
        return switch (s.supervision()) {
            case EXITED -> "it exited: read %s, then agents start %s".formatted(supervisor.logShown(agent), agent.name());
            case RUNNING -> "its process runs but does not answer: read %s, or agents restart %s".formatted(supervisor.logShown(agent), agent.name());
            case EXTERNAL -> "agents restart %s (runs its restart_command)".formatted(agent.name());
            case NOT_STARTED -> "agents start " + agent.name();
            case UNREACHABLE -> "its machine %s cannot be reached (%s): fix the connection, then agents status %s".formatted(agent.machine(),
                    s.note(), agent.name());
        };
    }

    private static String fixFirst(Agent agent, String error) {
        return "its script does not parse (%s): fix it, then agents start %s".formatted(error, agent.name());
    }

    /** Key, value, key, value...: JSON output keeps this order. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static String abbreviate(List<Long> ids) {
        return ids.size() <= 5 ? ids.toString() : ids.subList(0, 5) + " and %d more".formatted(ids.size() - 5);
    }

    static String human(Duration d) {
        return io.fleetshell.engine.stats.DataNeeded.human(d);
    }
}
