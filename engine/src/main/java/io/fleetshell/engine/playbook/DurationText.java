package io.fleetshell.engine.playbook;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}. A unit is
 * required: a bare {@code 30} would mean seconds to one reader and milliseconds to another.
 */
public final class DurationText {

    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    private DurationText() {
    }

    /** The duration {@code text} names, or empty when it is not of the form {@code 1h30m}, {@code 45s}, {@code 250ms}. */
    public static Optional<Duration> parse(String text) {
        String t = text == null ? "" : text.strip();
        if (!WHOLE.matcher(t).matches()) {
            return Optional.empty();
        }
        double millis = 0;
        Matcher part = PART.matcher(t);
        while (part.find()) {
            double n = Double.parseDouble(part.group(1));
            millis += n * switch (part.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
        }
        return Optional.of(Duration.ofMillis(Math.round(millis)));
    }

    /** The shortest of {@code 250ms}, {@code 45s}, {@code 10m}, {@code 1h30m} that says {@code d} to the second. */
    public static String format(Duration d) {
        if (d.toMillis() < 1_000) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        StringBuilder out = new StringBuilder();
        if (s >= 3600) {
            out.append(s / 3600).append('h');
        }
        if (s % 3600 >= 60) {
            out.append(s % 3600 / 60).append('m');
        }
        if (s % 60 > 0 || out.isEmpty()) {
            out.append(s % 60).append('s');
        }
        return out.toString();
    }
}
