package io.fleetshell.engine.python.proof;

import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.profile.Stats;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.proof.ProofCheck.Outcome;
import io.fleetshell.engine.stats.MannWhitney;
import io.fleetshell.engine.stats.RankTest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The proof checks of {@code async_initialization} (issue 21, item 4), on real starts of both versions, alternated:
 * <ul>
 *   <li>{@code same answers}: the rewrite answers the replayed requests exactly as the original (status and body);</li>
 *   <li>{@code no early answer}: where the agent has a readiness hook, {@code /health} first said "starting" (503)
 *       and said 200 once the first request was answered: the request waited for the data;</li>
 *   <li>{@code time to healthy}: spawn to the first {@code /health} answer is lower (one-sided Mann-Whitney U); a
 *       rewrite that does not make the agent healthy sooner is not deployed;</li>
 *   <li>{@code time to ready}: spawn to the first answered request, reported for both; it fails only when
 *       significantly slower by more than {@link #READY_SLACK} of the original's median.</li>
 * </ul>
 */
public final class StartupProof {

    /** A slowdown of time-to-ready below this share of the original's is accepted (the thread's start costs a little). */
    static final double READY_SLACK = 0.10;

    private static final java.util.regex.Pattern READY_ARGUMENT =
            java.util.regex.Pattern.compile("\\w\\s*=\\s*(?:[A-Za-z_]\\w*\\.ready\\b|lambda: all\\(h\\.ready\\(\\) for h in \\()");

    private final AgentRuns runs;
    private final int starts;
    private final double alpha;

    /** @param starts starts of each version (0: one start each, for the answers only, without timing) */
    public StartupProof(AgentRuns runs, int starts, double alpha) {
        this.runs = runs;
        this.starts = starts;
        this.alpha = alpha;
    }

    /**
     * @param rewritten       the rewrite's file beside the original, on the agent's machine
     * @param rewrittenSource its bytes (read from here, not from that machine)
     */
    public List<ProofCheck> prove(ProfileTarget original, Path rewritten, byte[] rewrittenSource, List<String> requests) {
        List<Double> healthyBefore = new ArrayList<>();
        List<Double> healthyAfter = new ArrayList<>();
        List<Double> readyBefore = new ArrayList<>();
        List<Double> readyAfter = new ArrayList<>();
        List<AgentRuns.Answer> reference = null;
        boolean hooked = false;
        for (int start = 0; start < Math.max(1, starts); start++) {
            AgentRuns.Run before = runs.run(original, original.script(), requests, List.of());
            AgentRuns.Run after = runs.run(original, rewritten, requests, List.of());
            if (!before.ok() || !after.ok()) {
                return List.of(new ProofCheck("starts", Outcome.FAILED, (before.ok() ? "the rewrite " + after.failure()
                        : "the original " + before.failure()) + " (start %d)".formatted(start + 1), Map.of()));
            }
            if (reference == null) {
                reference = before.answers();
            }
            if (!after.answers().equals(reference) || !before.answers().equals(reference)) {
                return List.of(new ProofCheck("same answers", Outcome.FAILED, "the answers differ: original %s, rewrite %s"
                        .formatted(before.answers(), after.answers()), Map.of("start", start + 1)));
            }
            if (after.firstHealthStatus() != 200) {
                hooked = true;
                if (!after.healthyAfterFirstAnswer()) {
                    return List.of(new ProofCheck("no early answer", Outcome.FAILED, ("the rewrite answered %s while /health still "
                            + "did not say 200: a request was answered before the start-up work was done").formatted(requests.getFirst()), Map.of()));
                }
            }
            healthyBefore.add(round(before.healthyMillis()));
            healthyAfter.add(round(after.healthyMillis()));
            readyBefore.add(round(before.readyMillis()));
            readyAfter.add(round(after.readyMillis()));
        }
        List<ProofCheck> checks = new ArrayList<>();
        checks.add(new ProofCheck("same answers", requests.isEmpty() ? Outcome.SKIPPED : Outcome.PASSED, requests.isEmpty()
                ? "no replay_requests configured: set replay_requests: [\"/run?x=...\"] in the agent's config: entry to compare answers"
                : "the rewrite answered the %d replayed requests exactly as the original in every start".formatted(requests.size()),
                Map.of("requests", requests)));
        checks.add(hooked
                ? new ProofCheck("no early answer", Outcome.PASSED, "/health said 503 \"starting\" at first and 200 once the first request "
                        + "was answered: requests waited for the start-up work", Map.of())
                : wiredToReadiness(rewrittenSource)
                ? new ProofCheck("no early answer", Outcome.PASSED, "the rewrite passes its readiness to the health hook (ready=...); in "
                        + "every start the work was done before /health first answered, and requests read its data through the "
                        + "holder, which waits for it", Map.of())
                : new ProofCheck("no early answer", Outcome.SKIPPED, "the agent has no readiness hook: /health says ok at once, so only "
                        + "time-to-ready is kept; requests wait for the work through the holder", Map.of()));
        if (starts == 0) {
            checks.add(new ProofCheck("time to healthy", Outcome.SKIPPED, "not measured (0 runs were asked for)", Map.of()));
            return checks;
        }
        checks.add(healthy(healthyBefore, healthyAfter));
        checks.add(ready(readyBefore, readyAfter));
        return checks;
    }

    /**
     * Whether the rewrite hands its holders' readiness to the agent's health hook ({@code ready=NAME.ready} or
     * {@code ready=lambda: all(h.ready() for h in (A, B))}, under the hook's keyword, as {@code async_initialization}
     * writes it). Read from the rewrite, not inferred from a 503 seen at start: on a quiet
     * machine the work can finish before the first probe, and the verdict must not depend on that race.
     */
    private static boolean wiredToReadiness(byte[] rewritten) {
        return READY_ARGUMENT.matcher(new String(rewritten, StandardCharsets.UTF_8)).find();
    }

    private ProofCheck healthy(List<Double> before, List<Double> after) {
        RankTest test = MannWhitney.lessThan(array(after), array(before));
        Map<String, Object> evidence = evidence(before, after, test);
        String figures = "time to healthy %.0f -> %.0f ms median over %d starts each, one-sided Mann-Whitney %s (alpha %.2f)"
                .formatted(Stats.of(before).median(), Stats.of(after).median(), before.size(), test.p(), alpha);
        if (test.significant(alpha) && Stats.of(after).median() < Stats.of(before).median()) {
            return new ProofCheck("time to healthy", Outcome.PASSED, "the agent is healthy sooner: " + figures, evidence);
        }
        return new ProofCheck("time to healthy", Outcome.FAILED, "the agent is not healthy sooner beyond noise: " + figures
                + "; a rewrite that gains nothing is not deployed", evidence);
    }

    private ProofCheck ready(List<Double> before, List<Double> after) {
        RankTest slower = MannWhitney.greaterThan(array(after), array(before));
        double medianBefore = Stats.of(before).median();
        double medianAfter = Stats.of(after).median();
        Map<String, Object> evidence = evidence(before, after, slower);
        String figures = "time to ready %.0f -> %.0f ms median (%+.0f ms), one-sided Mann-Whitney for slower %s"
                .formatted(medianBefore, medianAfter, medianAfter - medianBefore, slower.p());
        if (slower.significant(alpha) && medianAfter > medianBefore * (1 + READY_SLACK)) {
            return new ProofCheck("time to ready", Outcome.FAILED, "the agent is ready later: " + figures, evidence);
        }
        return new ProofCheck("time to ready", Outcome.PASSED, figures, evidence);
    }

    private static Map<String, Object> evidence(List<Double> before, List<Double> after, RankTest test) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("before_ms", before);
        evidence.put("after_ms", after);
        evidence.put("before_median_ms", Stats.of(before).median());
        evidence.put("after_median_ms", Stats.of(after).median());
        evidence.put("test", test.method());
        evidence.put("u", test.u());
        evidence.put("p", test.pValue());
        return evidence;
    }

    private static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double round(double value) {
        return Math.round(value * 10.0) / 10.0;
    }
}
