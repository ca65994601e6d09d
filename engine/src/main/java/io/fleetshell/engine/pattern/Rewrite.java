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
 * @param createsFile whether the file is absent today and the rewrite creates it ({@code before} is then empty): the
 *                    rollout backs such a file up as "absent", so a rollback or a recovery removes it instead of
 *                    restoring bytes, and a drift check expects the file still absent
 */
public record Rewrite(String pattern, Path file, byte[] before, byte[] after, List<String> notes, boolean createsFile) {

    public Rewrite {
        if (createsFile && before.length != 0) {
            throw new IllegalArgumentException("a rewrite that creates " + file + " has no bytes before it");
        }
        before = before.clone();
        after = after.clone();
        notes = List.copyOf(notes);
    }

    /** A rewrite of a file that exists: {@code before} is its exact bytes. */
    public Rewrite(String pattern, Path file, byte[] before, byte[] after, List<String> notes) {
        this(pattern, file, before, after, notes, false);
    }

    /**
     * A rewrite that creates {@code file}, absent today, with the bytes {@code after}: the rollout backs it up as
     * "absent" and removes it on rollback.
     */
    public static Rewrite creating(String pattern, Path file, byte[] after, List<String> notes) {
        return new Rewrite(pattern, file, new byte[0], after, notes, true);
    }

    /** A rewrite that changes nothing, with the reasons. */
    public static Rewrite unchanged(String pattern, Path file, byte[] source, List<String> notes) {
        return new Rewrite(pattern, file, source, source, notes);
    }

    /** Whether writing {@link #after} changes the file system: always for a file it creates, even an empty one. */
    public boolean changes() {
        return createsFile || !Arrays.equals(before, after);
    }

    @Override
    public byte[] before() {
        return before.clone();
    }

    @Override
    public byte[] after() {
        return after.clone();
    }

    /**
     * A unified diff with three lines of context, headed {@code a/NAME} ({@code /dev/null} for a file it creates) and
     * {@code b/NAME (pattern)}; empty without changes.
     * The text of {@link #unifiedDiffBytes}: UTF-8 when both sides are, else ISO-8859-1, whose characters are the
     * file's bytes one for one (a Latin-1 file shows as itself); carriage returns stay in their lines.
     */
    public String unifiedDiff() {
        return new String(unifiedDiffBytes(), isUtf8(before) && isUtf8(after) ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }

    /**
     * The unified diff as bytes that {@code patch FILE} applies to the original whatever its encoding and line ends:
     * lines are cut at {@code \n} only, so a CRLF file's diff keeps its CRs, and no byte is decoded, so a Latin-1
     * file's bytes (or a UTF-8 byte order mark) come out as they went in.
     */
    public byte[] unifiedDiffBytes() {
        if (!changes()) {
            return new byte[0];
        }
        List<String> original = lines(before);
        List<String> revised = lines(after);
        String name = new String(file.getFileName().toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff(
                createsFile ? "/dev/null" : "a/" + name, "b/" + name + " (" + pattern + ")", original, DiffUtils.diff(original, revised), 3);
        return (String.join("\n", diff) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The lines of a file, each byte one character, cut at {@code \n} (a {@code \r} before it stays in the line). */
    private static List<String> lines(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<String> lines = new java.util.ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
