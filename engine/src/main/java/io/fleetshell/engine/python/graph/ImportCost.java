package io.fleetshell.engine.python.graph;

import io.fleetshell.engine.inventory.AgentId;

import java.util.List;

/**
 * A measured figure of one agent, and the samples it came from: the median over the successful samples of the
 * agent's latest baseline (the {@code -X importtime} tree each {@code profile} run stores).
 *
 * @param agent           the agent whose load was measured
 * @param baselineVersion the baseline the samples belong to ({@code baseline show AGENT} lists them)
 * @param runs            the run numbers of the samples used
 * @param millis          the median, in milliseconds
 */
public record ImportCost(AgentId agent, int baselineVersion, List<Integer> runs, double millis) {

    public ImportCost {
        runs = List.copyOf(runs);
    }

    /** Where the figure comes from, e.g. {@code mainpc/TutorAgent baseline v2, runs 1-5}. */
    public String source() {
        String which = runs.isEmpty() ? "no run"
                : runs.size() > 1 && runs.getLast() - runs.getFirst() == runs.size() - 1
                ? "runs %d-%d".formatted(runs.getFirst(), runs.getLast())
                : (runs.size() == 1 ? "run " : "runs ") + String.join(",", runs.stream().map(String::valueOf).toList());
        return "%s baseline v%d, %s".formatted(agent, baselineVersion, which);
    }
}
