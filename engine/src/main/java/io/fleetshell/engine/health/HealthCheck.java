package io.fleetshell.engine.health;

import java.util.Map;

/**
 * One check of the health report.
 *
 * @param name           what is checked, e.g. {@code mainpc/TutorAgent answers its health check}
 * @param status         pass, fail, or skipped (nothing to check it on; not scored)
 * @param evidence       the measurement it rests on, in one line, naming stored samples where there are some
 * @param recommendation what to do when it fails (or what would let a skipped check run); empty when it passes
 * @param critical       a failure here needs attention now (a required agent down, a regression, a crash)
 * @param data           the figures behind the evidence, for {@code --json}
 */
public record HealthCheck(String name, Status status, String evidence, String recommendation, boolean critical,
                          Map<String, Object> data) {

    public enum Status { PASS, FAIL, SKIPPED }

    public HealthCheck {
        data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
        recommendation = recommendation == null ? "" : recommendation;
    }

    static HealthCheck pass(String name, String evidence, Map<String, Object> data) {
        return new HealthCheck(name, Status.PASS, evidence, "", false, data);
    }

    static HealthCheck fail(String name, String evidence, String recommendation, boolean critical, Map<String, Object> data) {
        return new HealthCheck(name, Status.FAIL, evidence, recommendation, critical, data);
    }

    static HealthCheck skipped(String name, String evidence, String recommendation) {
        return new HealthCheck(name, Status.SKIPPED, evidence, recommendation, false, Map.of());
    }

    static HealthCheck of(boolean passed, String name, String evidence, String recommendation, boolean critical,
                          Map<String, Object> data) {
        return passed ? pass(name, evidence, data) : fail(name, evidence, recommendation, critical, data);
    }
}
