package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users type them in options: {@code 500ms}, {@code 2s}, {@code 10m}, {@code 1h}, {@code 1d}. */
final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    private Durations() {
    }

    static Duration parse(String text, String option) {
        Matcher m = DURATION.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s %s is not a duration; write it like 500ms, 2s, 10m, 1h or 1d"
                    .formatted(option, text));
        }
        double n = Double.parseDouble(m.group(1));
        long millis = Math.round(n * switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        });
        if (millis <= 0) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, option + " must be longer than 0");
        }
        return Duration.ofMillis(millis);
    }

    /** The shortest of the forms {@link #parse} reads that says {@code d} exactly. */
    static String format(Duration d) {
        long ms = d.toMillis();
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
