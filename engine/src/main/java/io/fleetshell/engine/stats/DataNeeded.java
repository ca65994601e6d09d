package io.fleetshell.engine.stats;

import java.time.Duration;
import java.util.Optional;

/**
 * The insufficient-data rule: a comparison is only made when each side has at least {@code minimum}
 * samples. Below that it says how many more each side needs and, from the rate at which the current
 * window has been collecting them, how much more time that is. Thin data is never a pass or a fail.
 *
 * @param moreBaseline samples the baseline window lacks
 * @param moreCurrent  samples the current window lacks
 * @param moreTime     how long the current window needs at its observed rate; null when it has no samples to
 *                     estimate a rate from
 */
public record DataNeeded(int moreBaseline, int moreCurrent, Duration moreTime) {

    /**
     * @param minimum      samples needed per side
     * @param currentSpan  how long the current window has been open
     */
    public static Optional<DataNeeded> check(int baseline, int current, int minimum, Duration currentSpan) {
        int moreBaseline = Math.max(0, minimum - baseline);
        int moreCurrent = Math.max(0, minimum - current);
        if (moreBaseline == 0 && moreCurrent == 0) {
            return Optional.empty();
        }
        Duration moreTime = null;
        if (moreCurrent > 0 && current > 0 && !currentSpan.isNegative() && !currentSpan.isZero()) {
            moreTime = Duration.ofMillis((long) Math.ceil(currentSpan.toMillis() * (double) moreCurrent / current));
        }
        return Optional.of(new DataNeeded(moreBaseline, moreCurrent, moreTime));
    }

    /** "need 3 more samples or 2m10s more time" (current side), "baseline needs 5 more samples" (baseline side). */
    public String describe(String sampleWord) {
        StringBuilder s = new StringBuilder("insufficient data: ");
        if (moreCurrent > 0) {
            s.append("need %d more %s".formatted(moreCurrent, sampleWord));
            s.append(moreTime != null ? " or %s more time".formatted(human(moreTime)) : " (none yet since the change)");
        }
        if (moreBaseline > 0) {
            s.append(moreCurrent > 0 ? "; " : "").append("the baseline needs %d more %s".formatted(moreBaseline, sampleWord));
        }
        return s.toString();
    }

    public static String human(Duration d) {
        long s = Math.max(1, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s % 60 == 0 ? s / 60 + "m" : "%dm%02ds".formatted(s / 60, s % 60);
        }
        return "%dh%02dm".formatted(s / 3600, (s % 3600) / 60);
    }
}
