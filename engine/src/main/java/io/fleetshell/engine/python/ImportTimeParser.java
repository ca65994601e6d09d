package io.fleetshell.engine.python;

import io.fleetshell.engine.profile.ImportTiming;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads CPython's {@code -X importtime} lines ({@code import time: self [us] | cumulative | package},
 * nesting by two-space indent, children before their parent) between the probe's begin and end markers,
 * so only what the agent's own load imported is kept. Other stderr lines (the agent's own output,
 * warnings) are skipped.
 */
public final class ImportTimeParser {

    static final String BEGIN = "fleetshell-probe: begin";
    static final String END = "fleetshell-probe: end";
    private static final Pattern LINE = Pattern.compile("import time:\\s+(\\d+)\\s+\\|\\s+(\\d+)\\s+\\|( *)(\\S+)\\s*");

    private ImportTimeParser() {
    }

    public static List<ImportTiming> parse(String stderr) {
        List<ImportTiming> timings = new ArrayList<>();
        boolean inside = false;
        for (String line : stderr.split("\n")) {
            if (line.equals(BEGIN)) {
                inside = true;
            } else if (line.equals(END)) {
                break;
            } else if (inside) {
                Matcher m = LINE.matcher(line);
                if (m.matches()) {
                    // one space always follows the bar; each level of nesting adds two
                    int depth = Math.max(0, (m.group(3).length() - 1) / 2);
                    timings.add(new ImportTiming(m.group(4), depth, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
                }
            }
        }
        return timings;
    }
}
