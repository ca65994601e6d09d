package io.fleetshell.engine.health;

import java.util.List;
import java.util.OptionalDouble;

/** One of the eight categories and its checks; its score is the share of its scored checks that pass. */
public record HealthCategory(String name, List<HealthCheck> checks) {

    public HealthCategory {
        checks = List.copyOf(checks);
    }

    public long passed() {
        return checks.stream().filter(c -> c.status() == HealthCheck.Status.PASS).count();
    }

    public long failed() {
        return checks.stream().filter(c -> c.status() == HealthCheck.Status.FAIL).count();
    }

    public long skipped() {
        return checks.stream().filter(c -> c.status() == HealthCheck.Status.SKIPPED).count();
    }

    /** 0-100, or empty when every check was skipped (the category then does not count). */
    public OptionalDouble score() {
        long scored = passed() + failed();
        return scored == 0 ? OptionalDouble.empty() : OptionalDouble.of(100.0 * passed() / scored);
    }
}
