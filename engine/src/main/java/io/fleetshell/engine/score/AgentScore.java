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
 * @param band            the band of potential the score falls in
 * @param risk            how likely a rewrite changes what the agent does (not how much it gains): see {@link Risk}
 * @param factors         the four factors the score adds up
 * @param loadMillis      measured median module load, or null without a baseline
 * @param predictedGainMs measured cost of what the recommended patterns remove from start-up, or null without a baseline
 * @param baselineVersion the baseline the figures come from, or 0 when only static facts were used
 * @param recommendations patterns worth applying, each with its reason
 * @param reasons         why the score is what it is: what keeps imports eager, what is not measured
 * @param statements      every module-level import statement with its verdict and measured cost
 * @param measure         what {@code loadMillis} and {@code predictedGainMs} are: a Python module load, or a Java
 *                        agent's start to healthy (never to be added to the other)
 * @param error           why the agent's file cannot be analyzed or loaded, structured; null when it can
 */
public record AgentScore(AgentId agent, Status status, double score, Band band, Risk risk, Factors factors,
                         Double loadMillis, Double predictedGainMs, int baselineVersion,
                         List<Recommendation> recommendations, List<String> reasons, List<StatementAssessment> statements,
                         Measure measure, Error error) {

    public AgentScore {
        recommendations = List.copyOf(recommendations);
        reasons = List.copyOf(reasons);
        statements = List.copyOf(statements);
        measure = measure == null ? Measure.MODULE_LOAD : measure;
    }

    /** A score of a Python module load without an error. */
    public AgentScore(AgentId agent, Status status, double score, Band band, Risk risk, Factors factors, Double loadMillis,
                      Double predictedGainMs, int baselineVersion, List<Recommendation> recommendations, List<String> reasons,
                      List<StatementAssessment> statements) {
        this(agent, status, score, band, risk, factors, loadMillis, predictedGainMs, baselineVersion, recommendations, reasons,
                statements, Measure.MODULE_LOAD, null);
    }

    /** A score of 0 with the one reason the agent cannot be optimized. */
    public static AgentScore notOptimizable(AgentId agent, String reason) {
        return notOptimizable(agent, reason, null);
    }

    /** A score of 0 with the one reason, and the error behind it. */
    public static AgentScore notOptimizable(AgentId agent, String reason, Error error) {
        return new AgentScore(agent, Status.NOT_OPTIMIZABLE, 0, Band.LOW, Risk.HIGH, new Factors(0, 0, 0, 0),
                null, null, 0, List.of(), List.of(reason), List.of(), Measure.MODULE_LOAD, error);
    }

    /** "medium potential, low risk": the band and the risk in words, always agreeing with {@link #risk()}. */
    public String bandLabel() {
        return band.label() + ", " + risk.name().toLowerCase() + " risk";
    }

    /**
     * Why a file cannot be scored, for machines: {@code kind} is {@code syntax}, {@code unreadable} or {@code internal}
     * (the analysis) or {@code load} (the file parses but fails to load or start); line and column are 1-based, null
     * when unknown.
     */
    public record Error(String kind, String file, Integer line, Integer column, String message) {
    }

    /** What the measured figures of a score are. */
    public enum Measure {
        /** A Python agent's module load: the sum over a fleet is the fleet's import time. */
        MODULE_LOAD,
        /** A Java agent's JVM start to its first healthy answer: a different quantity, never summed with module loads. */
        START_TO_HEALTHY
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

    /** The potential a score stands for: 8 and more high, 4 to 7.9 medium, under 4 low. Risk is separate. */
    public enum Band {
        HIGH, MEDIUM, LOW;

        /** high, medium or low. */
        public String potential() {
            return name().toLowerCase();
        }

        /** "high potential". */
        public String label() {
            return potential() + " potential";
        }

        public static Band of(double score) {
            return score >= 8 ? HIGH : score >= 4 ? MEDIUM : LOW;
        }
    }

    /**
     * How likely a rewrite changes what the agent does, from what the analysis found, not from the score: one point
     * per costly import that an import-time use or a try/except keeps eager (at most two), one for heavy calls while
     * the module loads, one when the rewrite touches more than {@link #MANY_STATEMENTS} statements. 0 low, 1 medium,
     * 2 or more high. An agent that cannot be optimized is high.
     */
    public enum Risk {
        LOW, MEDIUM, HIGH;

        /** More statements than this in one rewrite is a large change to prove. */
        public static final int MANY_STATEMENTS = 5;

        public static Risk of(int points) {
            return points <= 0 ? LOW : points == 1 ? MEDIUM : HIGH;
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
