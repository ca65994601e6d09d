package io.fleetshell.engine.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.OptionalDouble;

/**
 * One of the eight categories and its checks; its score is the share of its scored checks that pass. It serializes
 * with its score (null when every check was skipped) and counts before its checks.
 */
@JsonPropertyOrder({"name", "score", "passed", "failed", "skipped", "checks"})
public record HealthCategory(String name, List<HealthCheck> checks) {

    public HealthCategory {
        checks = List.copyOf(checks);
    }

    @JsonProperty
    public long passed() {
        return checks.stream().filter(c -> c.status() == HealthCheck.Status.PASS).count();
    }

    @JsonProperty
    public long failed() {
        return checks.stream().filter(c -> c.status() == HealthCheck.Status.FAIL).count();
    }

    @JsonProperty
    public long skipped() {
        return checks.stream().filter(c -> c.status() == HealthCheck.Status.SKIPPED).count();
    }

    /** 0-100, or empty when every check was skipped (the category then does not count). */
    @JsonProperty
    public OptionalDouble score() {
        long scored = passed() + failed();
        return scored == 0 ? OptionalDouble.empty() : OptionalDouble.of(100.0 * passed() / scored);
    }
}
