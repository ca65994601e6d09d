package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users type them in options: {@code 500ms}, {@code 2s}, {@code 10m}, {@code 1h}, {@code 1d}. Every
 * option has a range, and a value outside it is refused with the option's name and the range, before any
 * arithmetic on it could overflow ({@code --timeout 99999999h}).
 */
final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    /** The longest duration any option takes unless it says otherwise: ten years of history. */
    static final Duration LONGEST = Duration.ofDays(3650);

    private Durations() {
    }

    /** A duration longer than 0 and at most {@link #LONGEST}. */
    static Duration parse(String text, String option) {
        return parse(text, option, Duration.ofMillis(1), LONGEST);
    }

    /**
     * A duration from {@code min} to {@code max}; with a {@code min} of zero, {@code 0} (without a unit) is
     * accepted and means no wait.
     */
    static Duration parse(String text, String option, Duration min, Duration max) {
        String t = text == null ? "" : text.strip();
        if (min.isZero() && t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s %s is not a duration; write it like 500ms, 2s, 10m, 1h or 1d%s"
                    .formatted(option, text, min.isZero() ? " (0 for no wait)" : ""));
        }
        double millis = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        if (millis > max.toMillis() || Math.round(millis) < min.toMillis()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s %s is out of range: give %s".formatted(option, text,
                    min.isZero() ? "0 to " + format(max) : min.toMillis() <= 1 ? "more than 0, up to " + format(max)
                            : format(min) + " to " + format(max)));
        }
        return Duration.ofMillis(Math.round(millis));
    }

    /** The shortest of the forms {@link #parse} reads that says {@code d} exactly. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
