package io.fleetshell.engine.gate;

import io.fleetshell.engine.inventory.Agent;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A rollout's analysis run of one agent: it gathers the evidence its gates need instead of waiting for it. Before a
 * change it makes sure the agent has a usable baseline, measuring one from the running original when none exists;
 * after the change and its restart it measures the changed agent the same way, runs the gates on the two windows and
 * decides pass, fail or inconclusive within a bounded time. The rollout calls it for every running agent it restarts.
 */
public interface Analysis {

    /** The baseline side of one agent, measured or found before the change. */
    sealed interface Baseline {
        /** Where the comparison's baseline samples are. */
        record Ready(Instant from, Instant to, String source, Map<String, Object> evidence) implements Baseline {
        }

        /** No baseline could be had: the change must not be made. */
        record Unusable(String reason, Map<String, Object> evidence) implements Baseline {
        }
    }

    /** How the analysis ended. */
    enum Outcome { PASS, FAIL, INCONCLUSIVE }

    /** What an inconclusive analysis does to the step: the agent's {@code inconclusive:} setting. */
    enum OnInconclusive { HOLD, PROCEED, ROLLBACK }

    /**
     * The analysis of one agent after its change.
     *
     * @param decisions every gate's decision (stored, with its evidence and raw samples)
     * @param skipped   gates that had nothing to measure on this agent, with why (e.g. no traffic configured)
     * @param summary   one sentence: what decided, or for an inconclusive run exactly what was missing
     * @param evidence  the settings and the two windows, for the record
     */
    record Result(Outcome outcome, OnInconclusive onInconclusive, List<GateDecision> decisions, Map<String, String> skipped,
                  String summary, Map<String, Object> evidence) {
    }

    /** Before the change: a usable baseline of the agent, measured from the running original when none exists. */
    Baseline baseline(Agent agent);

    /** After the change and the rollout's restart at {@code restartedAt}: measures the changed agent and decides. */
    Result judge(Agent agent, Baseline.Ready baseline, Instant restartedAt);

    /**
     * {@code deploy resume N --extend 2m}: measures a held agent for {@code extra} more (its starts and its window,
     * stretched to that time) and decides again on everything measured since {@code changedAt}.
     */
    Result extend(Agent agent, Baseline.Ready baseline, Instant changedAt, java.time.Duration extra);
}
