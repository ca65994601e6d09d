package io.fleetshell.engine.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The whole report: the categories in a fixed order, the overall score (the mean of the scored categories'
 * scores), the minimum it is held to, and the critical issues (failed checks marked critical). It serializes as
 * {@code health --json} prints it, the derived figures included.
 */
@JsonPropertyOrder({"at", "score", "minimum", "healthy", "categories", "critical_issues"})
public record HealthReport(Instant at, List<HealthCategory> categories, @JsonProperty("minimum") double minimumScore) {

    public HealthReport {
        categories = List.copyOf(categories);
    }

    @JsonProperty
    public double score() {
        OptionalDouble mean = categories.stream().map(HealthCategory::score).filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble).average();
        return mean.orElse(0);
    }

    @JsonProperty
    public boolean healthy() {
        return score() >= minimumScore;
    }

    @JsonProperty
    public List<HealthCheck> criticalIssues() {
        return categories.stream().flatMap(c -> c.checks().stream())
                .filter(c -> c.critical() && c.status() == HealthCheck.Status.FAIL).toList();
    }
}
