package io.fleetshell.engine.java;

import com.github.javaparser.Position;
import com.github.javaparser.ast.Node;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A source text with edits at exact spans: everything outside the spans stays byte for byte. Spans
 * come from JavaParser positions (1-based line and column, a tab counting as one column).
 */
final class SourceText {

    private final String text;
    private final List<Integer> lineStarts = new ArrayList<>();
    private final List<Edit> edits = new ArrayList<>();

    private record Edit(int start, int end, String replacement) {
    }

    SourceText(String text) {
        this.text = text;
        lineStarts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lineStarts.add(i + 1);
            }
        }
    }

    int offset(Position position) {
        return lineStarts.get(position.line - 1) + position.column - 1;
    }

    /** The offset just past the node's last character. */
    int end(Node node) {
        return offset(node.getEnd().orElseThrow()) + 1;
    }

    int start(Node node) {
        return offset(node.getBegin().orElseThrow());
    }

    String slice(int start, int end) {
        return text.substring(start, end);
    }

    /** The whitespace that starts the node's line. */
    String indentOf(Node node) {
        int start = lineStarts.get(node.getBegin().orElseThrow().line - 1);
        int at = start;
        while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
            at++;
        }
        return text.substring(start, at);
    }

    int lineStart(int line) {
        return lineStarts.get(line - 1);
    }

    /** The end of the line holding {@code offset}, before its line break. */
    int lineEnd(int offset) {
        int at = text.indexOf('\n', offset);
        return at < 0 ? text.length() : (at > 0 && text.charAt(at - 1) == '\r' ? at - 1 : at);
    }

    /** The line break the file uses. */
    String newline() {
        return text.contains("\r\n") ? "\r\n" : "\n";
    }

    int length() {
        return text.length();
    }

    char charAt(int offset) {
        return text.charAt(offset);
    }

    void replace(int start, int end, String replacement) {
        edits.add(new Edit(start, end, replacement));
    }

    void insert(int at, String insertion) {
        edits.add(new Edit(at, at, insertion));
    }

    /** The text with every edit applied; edits must not overlap. */
    String apply() {
        StringBuilder out = new StringBuilder(text);
        List<Edit> ordered = new ArrayList<>(edits);
        ordered.sort(Comparator.comparingInt(Edit::start).thenComparingInt(Edit::end).reversed());
        int limit = Integer.MAX_VALUE;
        for (Edit edit : ordered) {
            if (edit.end() > limit) {
                throw new IllegalStateException("overlapping edits at offset " + edit.start());
            }
            out.replace(edit.start(), edit.end(), edit.replacement());
            limit = edit.start();
        }
        return out.toString();
    }

    /** The indentation one level adds: the member's indentation less its type's, else four spaces. */
    static String unit(String memberIndent, String typeIndent) {
        return memberIndent.startsWith(typeIndent) && memberIndent.length() > typeIndent.length()
                ? memberIndent.substring(typeIndent.length()) : "    ";
    }

    /** Adds {@code extra} to the start of every non-blank line after the first. */
    static String indentContinuation(String text, String extra, String newline) {
        String[] lines = text.split(java.util.regex.Pattern.quote(newline), -1);
        StringBuilder out = new StringBuilder(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            out.append(newline).append(lines[i].isBlank() ? lines[i] : extra + lines[i]);
        }
        return out.toString();
    }
}
