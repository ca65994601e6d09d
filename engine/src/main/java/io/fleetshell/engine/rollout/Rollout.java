package io.fleetshell.engine.rollout;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.inventory.AgentId;
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
        List<Change> changes = new ArrayList<>();
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
            changes.add(new Change(c.agent().id(), c.pattern().rewrite(c.input()), c.predictedGainMs()));
        }
        return of(changes, skipped, options);
    }

    /** A change already computed for one agent (by {@code optimize}'s chain of patterns, for instance). */
    public record Change(AgentId agent, Rewrite rewrite, Double predictedGainMs) {
    }

    /**
     * A plan from changes computed elsewhere, in the order given: the entry point for callers that run the
     * patterns themselves, such as {@code optimize AGENT} (a one-agent deployment) and {@code batch deploy}.
     * Changes that change nothing are skipped with the rewrite's notes.
     */
    public static Plan of(List<Change> changes, List<Plan.Skipped> skipped, RolloutOptions options) {
        List<Plan.Skipped> left = new ArrayList<>(skipped);
        List<Change> changing = new ArrayList<>();
        for (Change c : changes) {
            if (c.rewrite().changes()) {
                changing.add(c);
            } else {
                left.add(new Plan.Skipped(c.agent(), c.rewrite().notes().isEmpty() ? "nothing to change"
                        : String.join(" ", c.rewrite().notes())));
            }
        }
        List<PlanStep> steps = new ArrayList<>();
        List<Integer> sizes = options.batches().split(changing.size());
        int index = 0;
        for (int batch = 1; batch <= sizes.size(); batch++) {
            for (int position = 1; position <= sizes.get(batch - 1); position++, index++) {
                Change c = changing.get(index);
                steps.add(new PlanStep(batch, position, c.agent(), c.rewrite().file(), c.rewrite().pattern(),
                        Checksums.sha256(c.rewrite().before()), c.rewrite(), c.predictedGainMs()));
            }
        }
        String patterns = String.join(",", changing.stream().map(c -> c.rewrite().pattern()).distinct().toList());
        return new Plan(patterns.isEmpty() ? "-" : patterns, steps, left, options);
    }
}
