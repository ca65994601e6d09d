package io.fleetshell.engine.proof;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one check of a proof, with the raw values it was decided on.
 *
 * @param name     the check, e.g. {@code compiles}, {@code loads}, {@code load time}
 * @param outcome  passed, failed, or skipped (with the reason in {@code detail})
 * @param detail   one sentence for the user
 * @param evidence raw values: samples, statistic, threshold, interpreter output (insertion-ordered, JSON-friendly)
 */
public record ProofCheck(String name, Outcome outcome, String detail, Map<String, Object> evidence) {

    public ProofCheck {
        evidence = evidence == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
    }

    public enum Outcome { PASSED, FAILED, SKIPPED }

    /** The check that runs the agent's own {@code test_command}: one name for every language. */
    public static final String AGENT_TESTS = "agent tests";

    public boolean failed() {
        return outcome == Outcome.FAILED;
    }
}
