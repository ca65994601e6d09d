package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.python.analysis.ImportFact;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Byte-exact edits of a source file: each edit replaces one span of bytes with new text, and every
 * byte outside the spans stays as it was (comments, formatting, line endings, the encoding declaration,
 * the shebang). Spans are those of Python's {@code ast}: 1-based lines, 0-based UTF-8 byte columns,
 * end exclusive. Lines end at {@code \n}, {@code \r\n} or a lone {@code \r}, as for the tokenizer.
 */
public final class TextEdits {

    private record Edit(int start, int end, String text) {
    }

    private final byte[] source;
    private final List<Integer> lineStarts = new ArrayList<>();
    private final List<Edit> edits = new ArrayList<>();

    public TextEdits(byte[] source) {
        this.source = source.clone();
        lineStarts.add(0);
        for (int i = 0; i < source.length; i++) {
            if (source[i] == '\n' || (source[i] == '\r' && (i + 1 == source.length || source[i + 1] != '\n'))) {
                lineStarts.add(i + 1);
            }
        }
    }

    /** The byte offset of a 1-based line and 0-based byte column. */
    public int offset(int line, int column) {
        if (line < 1 || line > lineStarts.size()) {
            throw new IllegalArgumentException("line " + line + " is outside the file (" + lineStarts.size() + " lines)");
        }
        int offset = lineStarts.get(line - 1) + column;
        if (offset > source.length) {
            throw new IllegalArgumentException("line %d column %d is outside the file".formatted(line, column));
        }
        return offset;
    }

    public int start(ImportFact.Span span) {
        return offset(span.line(), span.column());
    }

    public int end(ImportFact.Span span) {
        return offset(span.endLine(), span.endColumn());
    }

    /** The offset where a 1-based line starts. */
    public int lineStart(int line) {
        return offset(line, 0);
    }

    /** The offset just past the line break ending the line that holds {@code offset} (or the end of the file). */
    public int nextLineStart(int offset) {
        for (int start : lineStarts) {
            if (start > offset) {
                return start;
            }
        }
        return source.length;
    }

    /** The file's own line ending, taken from its first line; {@code \n} for a file of one line. */
    public String lineEnding() {
        for (int i = 0; i < source.length; i++) {
            if (source[i] == '\n') {
                return i > 0 && source[i - 1] == '\r' ? "\r\n" : "\n";
            }
            if (source[i] == '\r') {
                return i + 1 < source.length && source[i + 1] == '\n' ? "\r\n" : "\r";
            }
        }
        return "\n";
    }

    /** The source text between two offsets (decoded as UTF-8, for checks and messages). */
    public String text(int start, int end) {
        return new String(source, start, end - start, StandardCharsets.UTF_8);
    }

    /** What follows {@code offset} on its line, up to and without the line break. */
    public String restOfLine(int offset) {
        int end = offset;
        while (end < source.length && source[end] != '\n' && source[end] != '\r') {
            end++;
        }
        return text(offset, end);
    }

    /** What precedes {@code offset} on its line. */
    public String startOfLine(int offset) {
        int start = offset;
        while (start > 0 && source[start - 1] != '\n' && source[start - 1] != '\r') {
            start--;
        }
        return text(start, offset);
    }

    /**
     * Replaces the statement at {@code span}, after checking that the bytes there are the import statement
     * the facts describe (a file whose encoding shifts byte columns is refused rather than corrupted).
     */
    public TextEdits replaceImport(ImportFact.Span span, String text) {
        int start = start(span);
        int end = end(span);
        String found = text(start, end);
        if (!(found.startsWith("import") || found.startsWith("from"))) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, ("line %d column %d does not hold an import statement "
                    + "(found \"%s\"): the file changed since it was analyzed, or its encoding is not UTF-8; nothing was changed")
                    .formatted(span.line(), span.column(), found.length() > 30 ? found.substring(0, 30) + "..." : found));
        }
        return replace(start, end, text);
    }

    public TextEdits replace(int start, int end, String text) {
        if (start < 0 || end < start || end > source.length) {
            throw new IllegalArgumentException("bad span " + start + ".." + end);
        }
        edits.add(new Edit(start, end, text));
        return this;
    }

    public TextEdits insert(int offset, String text) {
        return replace(offset, offset, text);
    }

    public boolean isEmpty() {
        return edits.isEmpty();
    }

    /** The edited bytes; edits must not overlap (two inserts at one offset keep the order they were added in). */
    public byte[] apply() {
        List<Edit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(Edit::start).thenComparingInt(Edit::end));
        ByteArrayOutputStream out = new ByteArrayOutputStream(source.length + 1024);
        int at = 0;
        for (Edit edit : sorted) {
            if (edit.start() < at) {
                throw new IllegalStateException("overlapping edits at byte " + edit.start());
            }
            out.write(source, at, edit.start() - at);
            out.writeBytes(edit.text().getBytes(StandardCharsets.UTF_8));
            at = edit.end();
        }
        out.write(source, at, source.length - at);
        return out.toByteArray();
    }
}
