package io.fleetshell.shell.render;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A table of left-aligned columns separated by two spaces, with a header row, that fits a width: each row stays
 * on one line. When the cells in full are wider than the terminal, the table first narrows its flexible columns
 * (a {@link #path} column loses the start of its paths, a {@link #note} column keeps what fits and sends the full
 * text under the table as a numbered note), then leaves out its {@link #optional} columns ({@code -o wide} shows
 * them), then closes the gaps between columns to one space, then narrows every column, cutting cells with an
 * ellipsis. Widths count visible characters: colour
 * escapes in a cell do not push the columns after it out of line. Cells pass through {@link TerminalText#cell}.
 */
public final class TextTable {

    static final String ELLIPSIS = TerminalText.ELLIPSIS;
    private static final int SEPARATOR = 2;

    private enum Kind { PLAIN, PATH, NOTE }

    private final List<String> header;
    private final Kind[] kinds;
    private final Set<Integer> optional = new HashSet<>();
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... header) {
        this.header = List.of(header);
        this.kinds = new Kind[header.length];
        Arrays.fill(kinds, Kind.PLAIN);
    }

    /** Cells of this column are paths: when narrowed they keep their end ({@code …/agents/tutor_agent.py}). */
    public TextTable path(String column) {
        kinds[index(column)] = Kind.PATH;
        return this;
    }

    /** Cells of this column are long prose: when narrowed, the full text goes under the table as note [n]. */
    public TextTable note(String column) {
        kinds[index(column)] = Kind.NOTE;
        return this;
    }

    /** Columns left out, last named first, when the table does not fit otherwise. */
    public TextTable optional(String... columns) {
        for (String column : columns) {
            optional.add(index(column));
        }
        return this;
    }

    public TextTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : TerminalText.cell(c.toString())).toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Every cell in full, however wide. */
    public String render() {
        return render(0);
    }

    /** The table within {@code width} columns (0 or less: every cell in full), then its notes. */
    public String render(int width) {
        Layout layout = layout(width);
        StringBuilder out = new StringBuilder();
        List<String> notes = new ArrayList<>();
        line(out, header, layout, null);
        rows.forEach(row -> line(out, row, layout, notes));
        String table = out.toString().stripTrailing();
        if (notes.isEmpty()) {
            return table;
        }
        StringBuilder text = new StringBuilder(table).append("\n");
        for (int i = 0; i < notes.size(); i++) {
            text.append('\n').append(wrap("[" + (i + 1) + "] ", notes.get(i), width));
        }
        return text.toString();
    }

    /** The headers of the columns {@link #render(int)} leaves out at this width. */
    public List<String> hiddenAt(int width) {
        Layout layout = layout(width);
        List<String> hidden = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            if (!layout.shown[i]) {
                hidden.add(header.get(i));
            }
        }
        return hidden;
    }

    private record Layout(int[] widths, boolean[] shown, int separator) {
    }

    private Layout layout(int width) {
        int n = header.size();
        int[] natural = new int[n];
        for (int i = 0; i < n; i++) {
            natural[i] = visibleLength(header.get(i));
            for (List<String> row : rows) {
                natural[i] = Math.max(natural[i], visibleLength(row.get(i)));
            }
        }
        boolean[] shown = new boolean[n];
        Arrays.fill(shown, true);
        if (width <= 0 || total(natural, shown, SEPARATOR) <= width) {
            return new Layout(natural, shown, SEPARATOR);
        }
        // Narrow the flexible columns, then leave out optional ones, then close up the gaps to one space; only
        // when none of that is enough are plain cells cut.
        for (int separator : new int[]{SEPARATOR, 1}) {
            Arrays.fill(shown, true);
            List<Integer> droppable = new ArrayList<>(optional.stream().sorted().toList());
            while (true) {
                int[] widths = natural.clone();
                if (shrink(widths, shown, total(widths, shown, separator) - width, true) <= 0) {
                    return new Layout(widths, shown, separator);
                }
                if (droppable.isEmpty()) {
                    break;
                }
                shown[droppable.removeLast()] = false;
            }
        }
        int[] widths = natural.clone();
        shrink(widths, shown, total(widths, shown, 1) - width, false);
        return new Layout(widths, shown, 1);
    }

    /**
     * Narrows columns one character at a time, widest first, and returns the excess left: with {@code flexibleOnly}
     * the note columns down to ten characters first, then notes and paths to their minimum; otherwise every column.
     */
    private int shrink(int[] widths, boolean[] shown, int excess, boolean flexibleOnly) {
        if (!flexibleOnly) {
            return shrink(widths, shown, excess, Set.of(Kind.PLAIN, Kind.PATH, Kind.NOTE), false);
        }
        excess = shrink(widths, shown, excess, Set.of(Kind.NOTE), true);
        return shrink(widths, shown, excess, Set.of(Kind.PATH, Kind.NOTE), false);
    }

    private int shrink(int[] widths, boolean[] shown, int excess, Set<Kind> which, boolean comfortable) {
        while (excess > 0) {
            int widest = -1;
            for (int i = 0; i < widths.length; i++) {
                int floor = comfortable ? Math.max(minimum(i, true), 10) : minimum(i, !which.contains(Kind.PLAIN));
                boolean eligible = shown[i] && which.contains(kinds[i]) && widths[i] > floor;
                if (eligible && (widest < 0 || widths[i] > widths[widest])) {
                    widest = i;
                }
            }
            if (widest < 0) {
                return excess;
            }
            widths[widest]--;
            excess--;
        }
        return excess;
    }

    private int minimum(int column, boolean flexibleOnly) {
        return switch (kinds[column]) {
            case NOTE -> ("[" + rows.size() + "]").length();
            case PATH -> flexibleOnly ? 16 : 8;
            case PLAIN -> Math.min(visibleLength(header.get(column)), 6);
        };
    }

    private static int total(int[] widths, boolean[] shown, int separator) {
        int sum = 0;
        int count = 0;
        for (int i = 0; i < widths.length; i++) {
            if (shown[i]) {
                sum += widths[i];
                count++;
            }
        }
        return sum + separator * Math.max(0, count - 1);
    }

    private void line(StringBuilder out, List<String> cells, Layout layout, List<String> notes) {
        StringBuilder line = new StringBuilder();
        int last = -1;
        for (int i = 0; i < cells.size(); i++) {
            if (layout.shown[i]) {
                last = i;
            }
        }
        for (int i = 0; i < cells.size(); i++) {
            if (!layout.shown[i]) {
                continue;
            }
            String cell = fit(cells.get(i), layout.widths[i], notes == null ? Kind.PLAIN : kinds[i], notes);
            line.append(cell);
            if (i < last) {
                line.append(" ".repeat(Math.max(0, layout.widths[i] - visibleLength(cell)) + layout.separator));
            }
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String fit(String cell, int width, Kind kind, List<String> notes) {
        int length = visibleLength(cell);
        if (length <= width) {
            return cell;
        }
        String plain = TerminalText.plain(cell);
        return switch (kind) {
            case PATH -> ELLIPSIS + plain.substring(plain.length() - (width - 1));
            case NOTE -> {
                notes.add(plain);
                String marker = "[" + notes.size() + "]";
                yield width >= marker.length() + 8 ? plain.substring(0, width - marker.length() - 2) + ELLIPSIS + " " + marker : marker;
            }
            case PLAIN -> width <= 1 ? ELLIPSIS : plain.substring(0, width - 1) + ELLIPSIS;
        };
    }

    /** {@code text} after {@code label}, wrapped at spaces to {@code width} (0: no limit) with the lines after the first indented. */
    public static String wrap(String label, String text, int width) {
        return wrap(label, " ".repeat(visibleLength(label)), text, width);
    }

    /** {@code text} after {@code label}, wrapped at spaces to {@code width} (0: no limit), the lines after the first after {@code indent}. */
    public static String wrap(String label, String indent, String text, int width) {
        if (width <= 0 || visibleLength(label) + visibleLength(text) <= width) {
            return label + text;
        }
        StringBuilder out = new StringBuilder(label);
        int column = visibleLength(label);
        boolean lineStart = true;
        for (String word : text.split(" ")) {
            if (!lineStart && column + 1 + word.length() > width) {
                out.append('\n').append(indent);
                column = indent.length();
                lineStart = true;
            }
            if (!lineStart) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += visibleLength(word);
            lineStart = false;
        }
        return out.toString();
    }

    private int index(String column) {
        int i = header.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + column + " in " + header);
        }
        return i;
    }

    static int visibleLength(String cell) {
        return TerminalText.plain(cell).length();
    }
}
