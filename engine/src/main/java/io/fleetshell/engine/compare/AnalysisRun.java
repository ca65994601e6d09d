package io.fleetshell.engine.compare;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.gate.Analysis;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.host.Tunnels;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.runtime.ProbeTarget;
import io.fleetshell.engine.runtime.RequestSample;
import io.fleetshell.engine.runtime.RuntimeBaseline;
import io.fleetshell.engine.runtime.RuntimeHistory;
import io.fleetshell.engine.runtime.StartOutcome;
import io.fleetshell.engine.runtime.StartSample;
import io.fleetshell.engine.runtime.StopOutcome;
import io.fleetshell.engine.runtime.Supervisor;
import io.fleetshell.engine.runtime.SyntheticTraffic;
import io.fleetshell.engine.stats.DataNeeded;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The analysis run of one agent ({@link Analysis}) with fleetshell's supervisor: each side of a change is measured the
 * same way, {@code starts} restarts timed to healthy, each followed by an equal slice of the window during which the
 * agent's synthetic request (if configured) is sent at its rate and its health probed (memory with it), every sample
 * stored. The baseline side is measured on the original right before the change when the agent has no usable runtime
 * baseline (none, older than {@code baseline_lookback}, or too thin) and stored as a new runtime baseline version, the
 * one the gates then name; the changed side starts with the rollout's own restart. The two windows are back to back
 * (the write, proof and restart between them); the absolute tolerances of {@link AnalysisSettings} keep a busy
 * machine's noise from reading as a regression.
 */
public final class AnalysisRun implements Analysis {

    private final Supervisor supervisor;
    private final RuntimeHistory history;
    private final Gates gates;
    private final Thresholds thresholds;
    private final Function<Agent, AnalysisSettings> settings;

    public AnalysisRun(Supervisor supervisor, RuntimeHistory history, Gates gates, Thresholds thresholds,
                       Function<Agent, AnalysisSettings> settings) {
        this.supervisor = supervisor;
        this.history = history;
        this.gates = gates;
        this.thresholds = thresholds;
        this.settings = settings;
    }

    /** The settings the analysis uses for the agent (settings.yaml and its startup-config entry, merged). */
    public AnalysisSettings settings(Agent agent) {
        return settings.apply(agent);
    }

    @Override
    public Baseline baseline(Agent agent) {
        AnalysisSettings s = settings.apply(agent);
        Instant now = Instant.now();
        Optional<RuntimeBaseline> stored = history.runtimeBaseline(agent.id());
        String why = "no runtime baseline";
        if (stored.isPresent()) {
            RuntimeBaseline b = stored.get();
            List<String> thin = thin(agent, b.windowStart(), b.windowEnd(), s);
            if (b.windowEnd().isBefore(now.minus(thresholds.baselineLookback()))) {
                why = "runtime baseline v%d ended %s ago, beyond baseline_lookback %s".formatted(b.version(),
                        DataNeeded.human(Duration.between(b.windowEnd(), now)), DataNeeded.human(thresholds.baselineLookback()));
            } else if (!thin.isEmpty()) {
                why = "runtime baseline v%d is thin (%s)".formatted(b.version(), String.join(", ", thin));
            } else {
                Map<String, Object> evidence = new LinkedHashMap<>();
                evidence.put("runtime_baseline", b.version());
                evidence.put("measured", false);
                return new Baseline.Ready(b.windowStart(), b.windowEnd(), "runtime baseline v%d (captured %s)".formatted(b.version(),
                        b.capturedAt()), evidence);
            }
        }
        Instant from = Instant.now();
        Measured measured = measure(agent, s, false);
        Instant to = Instant.now();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("measured", true);
        evidence.put("why", why);
        evidence.put("settings", s.asEvidence());
        measured.addTo(evidence);
        if (measured.failure() != null) {
            return new Baseline.Unusable("%s never became healthy while its baseline was measured from the original: %s"
                    .formatted(agent.id(), measured.failure()), evidence);
        }
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("healthy_starts", measured.starts());
        counts.put("probes", measured.probes());
        counts.put("requests", measured.requests());
        counts.put("source", "measured from the original by a rollout's analysis (%s)".formatted(why));
        RuntimeBaseline b = history.captureBaseline(agent.id(), from, to, counts);
        evidence.put("runtime_baseline", b.version());
        return new Baseline.Ready(b.windowStart(), b.windowEnd(), "runtime baseline v%d (measured from the original by the rollout's analysis: %s)"
                .formatted(b.version(), why), evidence);
    }

    @Override
    public Result judge(Agent agent, Baseline.Ready baseline, Instant restartedAt) {
        AnalysisSettings s = settings.apply(agent);
        return decide(agent, s, baseline, restartedAt, measure(agent, s, true), "the changed agent, measured by the analysis");
    }

    @Override
    public Result extend(Agent agent, Baseline.Ready baseline, Instant changedAt, Duration extra) {
        AnalysisSettings s = settings.apply(agent);
        AnalysisSettings longer = new AnalysisSettings(s.starts(), s.probes(), extra, s.traffic(), s.firstUse(), s.failureLimit(),
                s.inconclusive(), s.latencyTolerance(), s.startTolerance(), s.memoryToleranceKb(), s.relativeTolerance(), s.topUpLimit());
        return decide(agent, s, baseline, changedAt, measure(agent, longer, false),
                "the changed agent, measured by the analysis and extended by " + DataNeeded.human(extra));
    }

    private Result decide(Agent agent, AnalysisSettings s, Baseline.Ready baseline, Instant restartedAt, Measured measured, String source) {
        Window base = new Window(baseline.from(), baseline.to(), baseline.source());
        Window now = new Window(restartedAt, Instant.now(), source);
        List<GateDecision> decisions = gates.evaluate(agent, base, now, s);
        Map<String, String> skipped = new LinkedHashMap<>();
        List<GateDecision> judged = new ArrayList<>();
        for (GateDecision d : decisions) {
            String none = nothingToMeasure(d, s);
            if (none != null) {
                skipped.put(d.gate(), none);
            } else {
                judged.add(d);
            }
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("settings", s.asEvidence());
        evidence.put("baseline", base.asEvidence());
        evidence.put("current", now.asEvidence());
        measured.addTo(evidence);
        evidence.put("decision_ids", decisions.stream().map(d -> d.evidence().get("decision_id")).toList());
        OnInconclusive policy = OnInconclusive.valueOf(s.inconclusive().name());
        List<GateDecision> failed = judged.stream().filter(d -> d.verdict() == GateDecision.Verdict.FAIL).toList();
        List<GateDecision> held = judged.stream().filter(d -> d.verdict() == GateDecision.Verdict.HOLD).toList();
        if (measured.failure() != null && failed.isEmpty()) {
            return new Result(Outcome.FAIL, policy, decisions, skipped, "the changed agent failed during the analysis: " + measured.failure(),
                    evidence);
        }
        if (failed.size() > s.failureLimit()) {
            return new Result(Outcome.FAIL, policy, decisions, skipped, "analysis failed (%d gate%s failed, failure_limit %d): %s".formatted(
                    failed.size(), failed.size() == 1 ? "" : "s", s.failureLimit(), String.join("; ",
                            failed.stream().map(GateDecision::line).toList())), evidence);
        }
        if (!held.isEmpty()) {
            return new Result(Outcome.INCONCLUSIVE, policy, decisions, skipped, "analysis inconclusive after %s of measurement: %s".formatted(
                    DataNeeded.human(Duration.ofSeconds(Math.round(measured.seconds()))), String.join("; ",
                            held.stream().map(GateDecision::line).toList())), evidence);
        }
        return new Result(Outcome.PASS, policy, decisions, skipped, "analysis passed in %.0f s: %s".formatted(measured.seconds(),
                String.join(", ", judged.stream().map(GateDecision::line).toList())), evidence);
    }

    /** What was measured on one side: counts, and why it stopped early (a start that never became healthy), else null. */
    private record Measured(int starts, int requests, int probes, double seconds, String failure, Map<String, Object> split) {

        /** What was measured, as the evidence of a baseline or a judgement records it. */
        void addTo(Map<String, Object> evidence) {
            evidence.put("restarts", starts);
            evidence.put("requests", requests);
            evidence.put("probes", probes);
            evidence.put("seconds", seconds);
            evidence.put("split", split);
            if (failure != null) {
                evidence.put("failure", failure);
            }
        }
    }

    /**
     * One side: {@code starts} restarts (the first skipped when the rollout just restarted the agent), each followed by
     * its slice of the window with requests at the configured rate and evenly spread health probes, one thread, in time
     * order. The last slice goes on (at most {@code top_up_limit} longer) while the side holds fewer requests, steady-state
     * requests or probes than the gates need: a slow agent answers fewer requests a second, and the analysis must not
     * end inconclusive for want of samples it could have had.
     */
    private Measured measure(Agent agent, AnalysisSettings s, boolean startedByRollout) {
        // with tunnel: true, the forwards this side's requests and probes opened are cancelled when it is measured
        try (Tunnels.Scope forwards = Tunnels.scope()) {
            return measured(agent, s, startedByRollout);
        }
    }

    private Measured measured(Agent agent, AnalysisSettings s, boolean startedByRollout) {
        long began = System.nanoTime();
        Optional<ProbeTarget> traffic = s.traffic() == null ? Optional.empty() : supervisor.trafficTarget(s.traffic(), agent);
        long sliceNanos = s.duration().toNanos() / s.starts();
        int probesPerSlice = (int) Math.ceil(s.probes() / (double) s.starts());
        int starts = 0;
        int requests = 0;
        int steady = 0;
        int failed = 0;
        int probes = 0;
        long restartNanos = 0;
        long requestNanos = 0;
        long probeNanos = 0;
        List<StartOutcome.Healthy> spawned = new ArrayList<>();
        for (int i = 0; i < s.starts(); i++) {
            if (i > 0 || !startedByRollout) {
                long t = System.nanoTime();
                StartOutcome start = supervisor.restart(agent);
                restartNanos += System.nanoTime() - t;
                if (!start.healthy()) {
                    return new Measured(starts, requests, probes, seconds(began), "start %d of %d: %s%s".formatted(i + 1, s.starts(),
                            start.summary(), stopUntracked(agent, spawned)), split(restartNanos, requestNanos, probeNanos, began));
                }
                spawned.add((StartOutcome.Healthy) start);
            }
            starts++;
            List<RequestSample> sent = new ArrayList<>();
            long sliceStart = System.nanoTime();
            long end = sliceStart + sliceNanos;
            long requestGap = traffic.isPresent() ? Math.round(1e9 / s.traffic().rate()) : Long.MAX_VALUE;
            long probeGap = probesPerSlice == 0 ? Long.MAX_VALUE : sliceNanos / probesPerSlice;
            long nextRequest = traffic.isPresent() ? sliceStart : Long.MAX_VALUE;
            long nextProbe = probesPerSlice == 0 ? Long.MAX_VALUE : sliceStart + probeGap / 2;
            int ordinal = 1;
            long topUpEnd = end + s.topUpLimit().toNanos();
            boolean last = i == s.starts() - 1;
            while (Math.min(nextRequest, nextProbe) < end || (last && System.nanoTime() < topUpEnd
                    && tooFew(traffic.isPresent(), requests + sent.size(), steady, failed, probes))) {
                if (nextRequest <= nextProbe) {
                    sleepUntil(nextRequest);
                    long t = System.nanoTime();
                    RequestSample answer = SyntheticTraffic.once(traffic.get(), ordinal++);
                    sent.add(answer);
                    if (answer.failed()) {
                        failed++;
                    } else if (answer.ordinal() > s.firstUse()) {
                        steady++;
                    }
                    requestNanos += System.nanoTime() - t;
                    nextRequest = Math.max(nextRequest + requestGap, System.nanoTime());
                } else {
                    sleepUntil(nextProbe);
                    long t = System.nanoTime();
                    supervisor.status(agent);
                    probeNanos += System.nanoTime() - t;
                    probes++;
                    nextProbe += probeGap;
                }
            }
            sleepUntil(Math.min(end, topUpEnd));
            history.recordRequests(sent);
            requests += sent.size();
        }
        return new Measured(starts, requests, probes, seconds(began), null, split(restartNanos, requestNanos, probeNanos, began));
    }

    /**
     * After a side failed partway: stops every process its restarts spawned that still runs although fleetshell no longer
     * tracks it (another start of the agent, beside this measurement, overwrote or removed its record; the failing start
     * then found the port answered by it), so that a failed measurement leaves no agent process behind. The agent's tracked
     * process is left running. Returns what was stopped, as a clause of the failure ("" when nothing was).
     */
    private String stopUntracked(Agent agent, List<StartOutcome.Healthy> spawned) {
        StringBuilder said = new StringBuilder();
        for (StartOutcome.Healthy start : spawned) {
            switch (supervisor.stopUntracked(agent, start)) {
                case StopOutcome.Terminated t -> said.append("; stopped pid %d, which this measurement had started and fleetshell no longer tracked"
                        .formatted(start.pid()));
                case StopOutcome.Killed k -> said.append("; killed pid %d, which this measurement had started and fleetshell no longer tracked"
                        .formatted(start.pid()));
                case StopOutcome.Failed f -> said.append("; could not stop pid %d, which this measurement had started: %s".formatted(start.pid(),
                        f.reason()));
                case StopOutcome.NotRunning n -> {
                    // gone already, or the agent's tracked process: nothing was left behind
                }
            }
        }
        return said.toString();
    }

    /**
     * Whether a side still holds fewer samples than the gates need to decide. Steady-state latency samples are waited for
     * only while most requests succeed: an agent that fails them has given the error-rate gate its evidence already.
     */
    private boolean tooFew(boolean traffic, int requests, int steady, int failed, int probes) {
        if (!traffic) {
            return probes < thresholds.minimumTrials();
        }
        return requests < thresholds.minimumTrials() || (steady < thresholds.minimumSamples() && failed * 2 < requests);
    }

    /** Where a side's wall time went: restarts (stop, start, until healthy), requests, probes, and the rest (waiting for slots). */
    private static Map<String, Object> split(long restartNanos, long requestNanos, long probeNanos, long began) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("restarts_seconds", restartNanos / 1e9);
        m.put("requests_seconds", requestNanos / 1e9);
        m.put("probes_seconds", probeNanos / 1e9);
        m.put("idle_seconds", Math.max(0, (System.nanoTime() - began - restartNanos - requestNanos - probeNanos) / 1e9));
        return m;
    }

    /** Which measures of a stored baseline window fall short of what the gates need. */
    private List<String> thin(Agent agent, Instant from, Instant to, AnalysisSettings s) {
        List<String> thin = new ArrayList<>();
        long healthy = history.starts(agent.id(), from, to).stream().filter(StartSample::healthy).count();
        if (healthy < thresholds.minimumSamples()) {
            thin.add("%d healthy starts of %d needed".formatted(healthy, thresholds.minimumSamples()));
        }
        if (s.traffic() != null) {
            long requests = history.requests(agent.id(), from, to).size();
            if (requests < thresholds.minimumTrials()) {
                thin.add("%d synthetic requests of %d needed".formatted(requests, thresholds.minimumTrials()));
            }
        } else {
            long probes = history.probes(agent.id(), from, to).size();
            if (probes < thresholds.minimumTrials()) {
                thin.add("%d probes of %d needed".formatted(probes, thresholds.minimumTrials()));
            }
        }
        return thin;
    }

    /**
     * Why a held gate had nothing to measure on either side of this agent (no traffic configured and none scraped;
     * no memory readings for a process fleetshell does not run), else null: such a gate is skipped, not inconclusive.
     */
    private static String nothingToMeasure(GateDecision d, AnalysisSettings s) {
        if (d.verdict() != GateDecision.Verdict.HOLD || count(d, "baseline") != 0 || count(d, "current") != 0) {
            return null;
        }
        return switch (d.gate()) {
            case Gates.LATENCY -> s.traffic() == null ? "no traffic to measure: no analysis request is configured for the agent and no "
                    + "scraped traffic falls in the windows (add analysis: {request: GET /PATH, rate: 10/s})" : null;
            case Gates.MEMORY -> "no memory readings: fleetshell does not run this agent's process, so it cannot read its resident memory";
            default -> null;
        };
    }

    private static int count(GateDecision d, String side) {
        return d.evidence().get(side) instanceof Map<?, ?> m && m.get("n") instanceof Number n ? n.intValue() : -1;
    }

    private static double seconds(long began) {
        return (System.nanoTime() - began) / 1e9;
    }

    private static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait <= 0) {
            return;
        }
        try {
            Thread.sleep(Duration.ofNanos(wait));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted during the analysis; every sample so far is stored");
        }
    }
}
