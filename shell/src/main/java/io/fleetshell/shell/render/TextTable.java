package io.fleetshell.shell.render;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table of left-aligned columns separated by two spaces, with a header row. Widths count visible
 * characters: colour escapes in a cell do not push the columns after it out of line.
 */
public final class TextTable {

    private static final java.util.regex.Pattern ANSI = java.util.regex.Pattern.compile("\u001b\\[[0-9;]*m");

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... header) {
        this.header = List.of(header);
    }

    public TextTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : c.toString()).toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public String render() {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = visibleLength(header.get(i));
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], visibleLength(row.get(i)));
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, header, widths);
        rows.forEach(row -> line(out, row, widths));
        return out.toString().stripTrailing();
    }

    private static int visibleLength(String cell) {
        return ANSI.matcher(cell).replaceAll("").length();
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            line.append(cells.get(i));
            if (i < cells.size() - 1) {
                line.append(" ".repeat(widths[i] - visibleLength(cells.get(i)) + 2));
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}
