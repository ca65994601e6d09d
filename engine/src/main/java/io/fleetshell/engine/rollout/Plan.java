package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.AgentId;

import java.time.Duration;
import java.util.List;

/**
 * A resolved rollout: every step it will take, in batches, decided before any file is written; and the
 * agents it leaves out with the reason. Executing a plan never re-resolves it.
 *
 * @param pattern  the pattern id(s) the plan applies, for display
 * @param steps    the steps, ordered by batch then position
 * @param skipped  agents of the request that get no step, with why
 * @param options  how it will be executed
 */
public record Plan(String pattern, List<PlanStep> steps, List<Skipped> skipped, RolloutOptions options) {

    /**
     * An agent left out of the plan: the reason in one line, and the detail behind it (each pattern's reasons, one per
     * import it keeps) for {@code --json}.
     */
    public record Skipped(AgentId agent, String reason, List<String> detail) {

        public Skipped {
            detail = List.copyOf(detail);
        }

        public Skipped(AgentId agent, String reason) {
            this(agent, reason, List.of());
        }
    }

    public Plan {
        steps = List.copyOf(steps);
        skipped = List.copyOf(skipped);
    }

    public int batchCount() {
        return steps.isEmpty() ? 0 : steps.getLast().batch();
    }

    public List<PlanStep> batch(int number) {
        return steps.stream().filter(s -> s.batch() == number).toList();
    }

    /** The sum of the predicted gains of the steps that have one. */
    public double predictedGainMs() {
        return steps.stream().filter(s -> s.predictedGainMs() != null).mapToDouble(PlanStep::predictedGainMs).sum();
    }

    /** At least the waits between batches; the steps' own time (proofs, restarts, gates) comes on top. */
    public Duration minimumDuration() {
        return options.interval().multipliedBy(Math.max(0, batchCount() - 1));
    }
}
