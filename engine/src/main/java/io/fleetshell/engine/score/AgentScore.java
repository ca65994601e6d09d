package io.fleetshell.engine.score;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;

import java.util.List;
import java.util.Optional;

/**
 * The score of one agent and everything it rests on.
 *
 * @param agent           the agent
 * @param status          whether it can be optimized at all
 * @param score           0-10, one decimal
 * @param band            the band the score falls in
 * @param risk            the risk of rewriting it
 * @param factors         the four factors the score adds up
 * @param loadMillis      measured median module load, or null without a baseline
 * @param predictedGainMs measured cost of what the recommended patterns remove from start-up, or null without a baseline
 * @param baselineVersion the baseline the figures come from, or 0 when only static facts were used
 * @param recommendations patterns worth applying, each with its reason
 * @param reasons         why the score is what it is: what keeps imports eager, what is not measured
 * @param statements      every module-level import statement with its verdict and measured cost
 */
public record AgentScore(AgentId agent, Status status, double score, Band band, Risk risk, Factors factors,
                         Double loadMillis, Double predictedGainMs, int baselineVersion,
                         List<Recommendation> recommendations, List<String> reasons, List<StatementAssessment> statements) {

    public AgentScore {
        recommendations = List.copyOf(recommendations);
        reasons = List.copyOf(reasons);
        statements = List.copyOf(statements);
    }

    /** A score of 0 with the one reason the agent cannot be optimized. */
    public static AgentScore notOptimizable(AgentId agent, String reason) {
        return new AgentScore(agent, Status.NOT_OPTIMIZABLE, 0, Band.LOW, Risk.HIGH, new Factors(0, 0, 0, 0),
                null, null, 0, List.of(), List.of(reason), List.of());
    }

    /**
     * Why an agent cannot be scored at all, whatever its language: it is infrastructure, its file is missing,
     * or it was not analyzed.
     */
    public static Optional<AgentScore> unscorable(Agent agent, boolean analyzed) {
        if (agent.infrastructure()) {
            return Optional.of(notOptimizable(agent.id(), "infrastructure agent: never optimized"));
        }
        if (!agent.script().found()) {
            return Optional.of(notOptimizable(agent.id(), "script " + agent.script().detail()));
        }
        if (!analyzed) {
            return Optional.of(notOptimizable(agent.id(), "not analyzed"));
        }
        return Optional.empty();
    }

    public enum Status {
        /** Something measurable to gain, and nothing stops a rewrite. */
        OPTIMIZABLE,
        /** Parsed and loadable, but every import must stay as it is. */
        NOTHING_TO_GAIN,
        /** Never rewritten: infrastructure, unparseable, failing to load, or its script is missing. */
        NOT_OPTIMIZABLE
    }

    /** The score bands fleets use; each carries a base risk that traps can raise (see {@link #risk()}). */
    public enum Band {
        HIGH("high", "high potential, low risk"), MEDIUM_LOW_RISK("medium", "medium potential, low risk"),
        MEDIUM("medium", "medium potential, medium risk"), LOW("low", "low potential, high risk");

        private final String potential;
        private final String label;

        Band(String potential, String label) {
            this.potential = potential;
            this.label = label;
        }

        /** high, medium or low. */
        public String potential() {
            return potential;
        }

        public String label() {
            return label;
        }

        public static Band of(double score) {
            return score >= 8 ? HIGH : score >= 6 ? MEDIUM_LOW_RISK : score >= 4 ? MEDIUM : LOW;
        }
    }

    public enum Risk {
        LOW, MEDIUM, HIGH;

        public Risk raised() {
            return this == LOW ? MEDIUM : HIGH;
        }
    }

    /** The four factors, each within its range: 0-4, 0-3, 0-2, 0-1. */
    public record Factors(double startupImpact, double heavyDependencies, double memory, double initComplexity) {

        public double total() {
            return startupImpact + heavyDependencies + memory + initComplexity;
        }
    }

    /** A pattern worth applying and why, e.g. {@code lazy_loading: 4 deferrable imports, 21.3 of 40.2 ms load}. */
    public record Recommendation(String pattern, String reason) {
    }

    /**
     * One module-level import statement: what it imports, what may be done with it and what it costs.
     *
     * @param line       its first line
     * @param text       the names it binds, as written
     * @param verdict    {@code deferrable}, {@code eager}, {@code unused} or {@code not-runtime}
     * @param reason     why (for eager ones, the rule and the line that forces it)
     * @param millis     measured median wall time of the statement, or null
     * @param rssKb      measured median RSS growth while it ran, or null
     */
    public record StatementAssessment(int line, String text, String verdict, String reason, Double millis, Double rssKb) {
    }
}
