package io.fleetshell.engine.rollout;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Rewrite;

import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a rollout request into a {@link Plan}: each candidate's pattern is validated and run on the
 * bytes read for it, agents with nothing to change are set aside with the reason, and the rest are split
 * into batches. Nothing is written; {@link RolloutExecutor} executes the plan.
 */
public final class Rollout {

    private Rollout() {
    }

    public static Plan resolve(List<Candidate> candidates, RolloutOptions options) {
        List<Plan.Skipped> skipped = new ArrayList<>();
        List<Candidate> changing = new ArrayList<>();
        List<Rewrite> rewrites = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c.agent().infrastructure()) {
                skipped.add(new Plan.Skipped(c.agent().id(), "infrastructure agent: never optimized"));
                continue;
            }
            Applicability applicability = c.pattern().validate(c.input());
            if (!applicability.applies()) {
                skipped.add(new Plan.Skipped(c.agent().id(), String.join(" ", applicability.reasons())));
                continue;
            }
            Rewrite rewrite = c.pattern().rewrite(c.input());
            if (!rewrite.changes()) {
                skipped.add(new Plan.Skipped(c.agent().id(), rewrite.notes().isEmpty()
                        ? c.pattern().id() + " changes nothing in this file" : String.join(" ", rewrite.notes())));
                continue;
            }
            changing.add(c);
            rewrites.add(rewrite);
        }
        List<PlanStep> steps = new ArrayList<>();
        List<Integer> sizes = options.batches().split(changing.size());
        int index = 0;
        for (int batch = 1; batch <= sizes.size(); batch++) {
            for (int position = 1; position <= sizes.get(batch - 1); position++, index++) {
                Candidate c = changing.get(index);
                Rewrite rewrite = rewrites.get(index);
                steps.add(new PlanStep(batch, position, c.agent().id(), c.input().file(), c.pattern().id(),
                        Checksums.sha256(c.input().source()), rewrite, c.predictedGainMs()));
            }
        }
        String patterns = String.join(",", candidates.stream().map(c -> c.pattern().id()).distinct().toList());
        return new Plan(patterns, steps, skipped, options);
    }
}
