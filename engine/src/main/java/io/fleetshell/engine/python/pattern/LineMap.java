package io.fleetshell.engine.python.pattern;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps line numbers of a file rewritten by an earlier pattern back to the original file, so that notes of
 * a later pattern name the lines the user sees in the original. Passed between patterns as the option
 * {@link #OPTION} ({@code first-last:original,...}: ranges of unchanged lines); lines not covered map to themselves.
 */
public record LineMap(List<int[]> ranges) {

    public static final String OPTION = "line_map";

    /** The map from the lines of {@code after} to those of {@code before}, over the lines both share unchanged. */
    public static String between(byte[] before, byte[] after) {
        List<String> original = new String(before, StandardCharsets.UTF_8).lines().toList();
        List<String> revised = new String(after, StandardCharsets.UTF_8).lines().toList();
        Patch<String> patch = DiffUtils.diff(original, revised);
        List<String> ranges = new ArrayList<>();
        int from = 0;
        int to = 0;
        for (AbstractDelta<String> delta : patch.getDeltas()) {
            int equal = delta.getSource().getPosition() - from;
            if (equal > 0) {
                ranges.add("%d-%d:%d".formatted(to + 1, to + equal, from + 1));
            }
            from = delta.getSource().getPosition() + delta.getSource().size();
            to = delta.getTarget().getPosition() + delta.getTarget().size();
        }
        if (from < original.size()) {
            ranges.add("%d-%d:%d".formatted(to + 1, to + original.size() - from, from + 1));
        }
        return String.join(",", ranges);
    }

    static LineMap parse(String option) {
        List<int[]> ranges = new ArrayList<>();
        if (option != null) {
            for (String range : option.split(",")) {
                String[] parts = range.strip().split("[-:]");
                if (parts.length == 3) {
                    ranges.add(new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])});
                }
            }
        }
        return new LineMap(ranges);
    }

    /** Every "line N" in a sentence written from the facts of a rewritten file, made the original's line. */
    String remap(String sentence) {
        return java.util.regex.Pattern.compile("line (\\d+)").matcher(sentence)
                .replaceAll(m -> "line " + original(Integer.parseInt(m.group(1))));
    }

    /** The original line of {@code line}. */
    int original(int line) {
        for (int[] range : ranges) {
            if (line >= range[0] && line <= range[1]) {
                return range[2] + line - range[0];
            }
        }
        return line;
    }
}
