package io.fleetshell.engine.pattern;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A before/after pair made by one pattern: what a dry run shows, what the user confirms, what the
 * rollout writes and what history stores.
 *
 * @param pattern the pattern's id
 * @param file    the file it is about (absolute)
 * @param before  the exact original bytes
 * @param after   the rewritten bytes (equal to {@code before} when nothing changes)
 * @param notes   what stayed as it was and why, and what behaviour still changes, one sentence each
 */
public record Rewrite(String pattern, Path file, byte[] before, byte[] after, List<String> notes) {

    public Rewrite {
        before = before.clone();
        after = after.clone();
        notes = List.copyOf(notes);
    }

    /** A rewrite that changes nothing, with the reasons. */
    public static Rewrite unchanged(String pattern, Path file, byte[] source, List<String> notes) {
        return new Rewrite(pattern, file, source, source, notes);
    }

    public boolean changes() {
        return !Arrays.equals(before, after);
    }

    @Override
    public byte[] before() {
        return before.clone();
    }

    @Override
    public byte[] after() {
        return after.clone();
    }

    /** A unified diff with three lines of context, headed {@code a/NAME} and {@code b/NAME (pattern)}; empty without changes. */
    public String unifiedDiff() {
        if (!changes()) {
            return "";
        }
        List<String> original = lines(before);
        List<String> revised = lines(after);
        String name = file.getFileName().toString();
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff(
                "a/" + name, "b/" + name + " (" + pattern + ")", original, DiffUtils.diff(original, revised), 3);
        return String.join("\n", diff) + "\n";
    }

    private static List<String> lines(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8).lines().toList();
    }
}
