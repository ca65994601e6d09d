package io.fleetshell.shell.watch;

import com.fasterxml.jackson.annotation.JsonValue;
import io.fleetshell.shell.render.FiniteNumber;
import tools.jackson.databind.annotation.JsonSerialize;

/**
 * The change of an agent's p95 latency against its runtime baseline, as the latency gate's comparison judges it.
 * In JSON the verdict is lower case and a percent not computed is null.
 *
 * @param percent (baseline - now) / baseline in percent: positive is faster; NaN when not computed
 * @param verdict where it stands against the thresholds
 * @param basis   what was compared and the rule applied, for the user
 * @param p       the one-sided rank test's p in the direction of the change (faster: is it faster; slower: is it
 *                slower); NaN when not computed
 * @param significant p below the thresholds' alpha: the change is not noise
 */
public record Change(@JsonSerialize(using = FiniteNumber.class) double percent, Verdict verdict, String basis,
                     @JsonSerialize(using = FiniteNumber.class) double p, boolean significant) {

    /** Where a change stands against the thresholds (settings.yaml {@code thresholds:}). */
    public enum Verdict {
        /** Significantly better, by at least the target improvement (+40 % by default). */
        TARGET,
        /** Significantly better, by at least the minimum improvement (+20 %). */
        IMPROVED,
        /** Neither a significant improvement beyond the minimum nor a regression. */
        WITHIN,
        /** At or below the regression alert (-5 %) and significantly worse. */
        REGRESSED,
        /** Not enough samples on one side yet. */
        UNKNOWN;

        @JsonValue
        String label() {
            return name().toLowerCase();
        }
    }
}
