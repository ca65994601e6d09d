package io.fleetshell.engine.score;

import io.fleetshell.engine.inventory.AgentId;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The fleet's scores, best candidates first, and the candidates grouped into rollout batches: lowest
 * risk first, then highest score. The order is total, so the same input always gives the same report.
 */
public record ScoreReport(List<AgentScore> agents, List<List<AgentId>> batches) {

    public ScoreReport {
        agents = List.copyOf(agents);
        batches = batches.stream().map(List::copyOf).toList();
    }

    public static ScoreReport of(List<AgentScore> scores, int batchSize) {
        Comparator<AgentScore> byPotential = Comparator
                .comparing((AgentScore s) -> s.status().ordinal())
                .thenComparing(AgentScore::score, Comparator.reverseOrder())
                .thenComparing(s -> s.predictedGainMs() == null ? 0 : s.predictedGainMs(), Comparator.reverseOrder())
                .thenComparing(AgentScore::agent);
        List<AgentScore> ranked = scores.stream().sorted(byPotential).toList();
        List<AgentId> candidates = ranked.stream()
                .filter(s -> s.status() == AgentScore.Status.OPTIMIZABLE)
                .sorted(Comparator.comparing(AgentScore::risk).thenComparing(byPotential))
                .map(AgentScore::agent)
                .toList();
        List<List<AgentId>> batches = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i += batchSize) {
            batches.add(candidates.subList(i, Math.min(candidates.size(), i + batchSize)));
        }
        return new ScoreReport(ranked, batches);
    }
}
