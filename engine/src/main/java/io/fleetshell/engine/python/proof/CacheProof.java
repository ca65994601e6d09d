package io.fleetshell.engine.python.proof;

import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.proof.ProofCheck.Outcome;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The proof checks of {@code cache_optimization} (issue 21, item 2): one start of each version replays the agent's
 * requests over real HTTP while {@code agent_run.py} counts how often each cached function's body runs.
 * {@code same answers}: the rewrite answers exactly as the original. {@code call counts}: the cached functions' bodies
 * ran fewer times in total than in the original; a cache with no measured effect is not deployed.
 */
public final class CacheProof {

    private final AgentRuns runs;

    public CacheProof(AgentRuns runs) {
        this.runs = runs;
    }

    /**
     * The replay the optimizer runs before the pattern: what the original's candidate functions did. A failed run
     * comes back failed (with why), never as empty counts: "not measured" and "never called" are different answers.
     */
    public AgentRuns.Run measure(ProfileTarget original, List<String> requests, List<String> functions) {
        return runs.run(original, original.script(), requests, functions);
    }

    public List<ProofCheck> prove(ProfileTarget original, Path rewritten, List<String> requests, List<String> cached) {
        if (requests.isEmpty()) {
            return List.of(new ProofCheck("call counts", Outcome.FAILED, "no replay_requests configured, so the cache's effect cannot be "
                    + "measured: set replay_requests: [\"/run?x=...\"] in the agent's config: entry; nothing is cached on a guess", Map.of()));
        }
        AgentRuns.Run before = runs.run(original, original.script(), requests, cached);
        AgentRuns.Run after = runs.run(original, rewritten, requests, cached);
        if (!before.ok() || !after.ok()) {
            return List.of(new ProofCheck("starts", Outcome.FAILED, before.ok() ? "the rewrite " + after.failure() : "the original " + before.failure(), Map.of()));
        }
        List<ProofCheck> checks = new ArrayList<>();
        if (!before.answers().equals(after.answers())) {
            checks.add(new ProofCheck("same answers", Outcome.FAILED, "the answers differ: original %s, rewrite %s"
                    .formatted(before.answers(), after.answers()), Map.of()));
            return checks;
        }
        checks.add(new ProofCheck("same answers", Outcome.PASSED, "the rewrite answered the %d replayed requests exactly as the original"
                .formatted(requests.size()), Map.of("requests", requests)));
        long callsBefore = 0;
        long callsAfter = 0;
        double msBefore = 0;
        double msAfter = 0;
        Map<String, Object> evidence = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>();
        for (String name : cached) {
            AgentRuns.Counted b = before.counts().getOrDefault(name, new AgentRuns.Counted(0, 0, 0));
            AgentRuns.Counted a = after.counts().getOrDefault(name, new AgentRuns.Counted(0, 0, 0));
            callsBefore += b.calls();
            callsAfter += a.calls();
            msBefore += b.totalMillis();
            msAfter += a.totalMillis();
            evidence.put(name, Map.of("calls_before", b.calls(), "calls_after", a.calls(), "distinct", b.distinct(),
                    "ms_before", b.totalMillis(), "ms_after", a.totalMillis()));
            parts.add("%s ran %d -> %d times (%.1f -> %.1f ms)".formatted(name, b.calls(), a.calls(), b.totalMillis(), a.totalMillis()));
        }
        String figures = String.join(", ", parts) + " over %d replayed requests".formatted(requests.size());
        if (callsAfter < callsBefore) {
            checks.add(new ProofCheck("call counts", Outcome.PASSED, "the cache saves work: " + figures
                    + "; %.1f ms less in the cached functions".formatted(msBefore - msAfter), evidence));
        } else {
            checks.add(new ProofCheck("call counts", Outcome.FAILED, "no measured effect: " + figures
                    + "; a cache that saves nothing is not deployed", evidence));
        }
        return checks;
    }
}
