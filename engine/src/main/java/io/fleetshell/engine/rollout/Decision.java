package io.fleetshell.engine.rollout;

import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.proof.ProofCheck;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One recorded decision of a rollout, as {@code explain} prints it: a proof check, a gate decision or a
 * batch gate, with the raw values, baseline, statistic and threshold in {@code evidence} and the rule
 * that fired.
 *
 * @param kind     {@code proof}, {@code gate} or {@code batch gate}
 * @param name     the check or gate
 * @param verdict  PASSED/FAILED/SKIPPED for proofs, PASS/FAIL/HOLD/SKIPPED for gates
 * @param rule     the rule that fired, or null
 * @param summary  one sentence
 * @param evidence the raw values (insertion-ordered)
 * @param at       when it was taken
 */
public record Decision(String kind, String name, Verdict verdict, String rule, String summary,
                       Map<String, Object> evidence, Instant at) {

    public static final String PROOF = "proof";
    public static final String GATE = "gate";
    public static final String BATCH_GATE = "batch gate";

    /**
     * What a decision said, in the words stored since schema V4: a proof check's {@code PASSED}, {@code FAILED},
     * {@code SKIPPED}; a gate's {@code PASS}, {@code FAIL}, {@code HOLD}, {@code SKIPPED}.
     */
    public enum Verdict {
        PASSED, FAILED, PASS, FAIL, HOLD, SKIPPED;

        public static Verdict of(ProofCheck.Outcome outcome) {
            return valueOf(outcome.name());
        }

        public static Verdict of(GateDecision.Verdict verdict) {
            return valueOf(verdict.name());
        }

        /** A passed check or gate. */
        public boolean passed() {
            return this == PASSED || this == PASS;
        }

        /** A failed check or gate. */
        public boolean failed() {
            return this == FAILED || this == FAIL;
        }
    }

    public Decision {
        evidence = evidence == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
    }

    public static Decision of(ProofCheck check) {
        return new Decision(PROOF, check.name(), Verdict.of(check.outcome()), null, check.detail(), check.evidence(), Instant.now());
    }

    public static Decision of(GateDecision gate) {
        return new Decision(GATE, gate.gate(), Verdict.of(gate.verdict()), gate.rule(), gate.summary(), gate.evidence(), Instant.now());
    }
}
