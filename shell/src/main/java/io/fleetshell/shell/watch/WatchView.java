package io.fleetshell.shell.watch;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What the person at {@code watch} is looking at, and what each key changes: the filter ({@code /}, typed, Enter
 * applies, Esc cancels), the sort column ({@code s} cycles), the selected row (arrows, PgUp/PgDn, Home/End), one agent's
 * detail (Enter; Esc goes back) and the key help ({@code ?}). Pure state: the loop reads keys, the dashboard draws.
 */
public final class WatchView {

    /** A key, as the loop decodes it from the terminal's bytes. */
    public sealed interface Key {
        /** A printable character. */
        record Typed(char c) implements Key {
        }

        /** A key without a character of its own. */
        enum Special implements Key { UP, DOWN, PAGE_UP, PAGE_DOWN, HOME, END, ENTER, ESCAPE, BACKSPACE }
    }

    /** What fills the screen. */
    public enum Mode { TABLE, FILTER, DETAIL, HELP }

    /** The columns {@code s} cycles through, each with the order that puts what needs attention first. */
    public enum Sort {
        INVENTORY("inventory order", null),
        AGENT("agent", Comparator.comparing(r -> r.agent().toString())),
        STATUS("status", Comparator.comparing((WatchModel.Row r) -> r.status() == WatchModel.Status.UP ? 1 : 0)),
        P95("p95, slowest first", Comparator.comparingDouble((WatchModel.Row r) -> Double.isNaN(r.p95Seconds()) ? -1 : r.p95Seconds()).reversed()),
        CHANGE("vs baseline, worst first", Comparator.comparingDouble((WatchModel.Row r) -> r.change() == null
                || Double.isNaN(r.change().percent()) ? Double.MAX_VALUE : r.change().percent())),
        ERRORS("5xx, most first", Comparator.comparingDouble((WatchModel.Row r) -> Double.isNaN(r.errorRate()) ? -1 : r.errorRate()).reversed());

        final String label;
        final Comparator<WatchModel.Row> order;

        Sort(String label, Comparator<WatchModel.Row> order) {
            this.label = label;
            this.order = order;
        }

        public String label() {
            return label;
        }
    }

    private Mode mode = Mode.TABLE;
    private Sort sort = Sort.INVENTORY;
    private String filter = "";
    private final StringBuilder typing = new StringBuilder();
    private int selected;
    private int top;
    private boolean quit;
    /** The agent the detail shows, kept by name: rows move when they are sorted or filtered again. */
    private String detailOf;

    public Mode mode() {
        return mode;
    }

    public Sort sort() {
        return sort;
    }

    public String filter() {
        return mode == Mode.FILTER ? typing.toString() : filter;
    }

    public boolean quit() {
        return quit;
    }

    /** The index of the selected row among {@link #rows}. */
    public int selected() {
        return selected;
    }

    /** The first row shown: the table scrolls to keep the selection in view. */
    public int top() {
        return top;
    }

    /** The agent whose detail is open ({@code machine/name}), or null. */
    public String detailOf() {
        return detailOf;
    }

    /** The model's rows that pass the filter (case-insensitive, any of machine, name, status, alerts), in the sort order. */
    public List<WatchModel.Row> rows(WatchModel model) {
        String needle = filter().toLowerCase(Locale.ROOT);
        List<WatchModel.Row> rows = model.rows().stream().filter(r -> needle.isEmpty() || (r.agent() + " " + r.status() + " "
                + String.join(" ", r.alerts())).toLowerCase(Locale.ROOT).contains(needle)).toList();
        return sort.order == null ? rows : rows.stream().sorted(sort.order).toList();
    }

    /**
     * Applies one key. {@code rows} is how many rows pass the filter now and {@code page} how many fit on the screen,
     * for scrolling; {@code selectedAgent} names the selected row's agent, for Enter.
     */
    public void key(Key key, int rows, int page, String selectedAgent) {
        switch (mode) {
            case HELP -> mode = Mode.TABLE; // any key closes the help
            case DETAIL -> {
                if (key instanceof Key.Typed(char c) && (c == 'q' || c == 'Q')) {
                    quit = true;
                } else if (key == Key.Special.ESCAPE || key == Key.Special.ENTER || key == Key.Special.BACKSPACE) {
                    mode = Mode.TABLE;
                    detailOf = null;
                }
            }
            case FILTER -> filtering(key);
            case TABLE -> table(key, rows, Math.max(1, page), selectedAgent);
        }
        keepInView(mode == Mode.FILTER ? Integer.MAX_VALUE : rows, Math.max(1, page));
    }

    private void filtering(Key key) {
        if (key == Key.Special.ENTER) {
            filter = typing.toString();
            mode = Mode.TABLE;
            selected = 0;
        } else if (key == Key.Special.ESCAPE) {
            mode = Mode.TABLE;
        } else if (key == Key.Special.BACKSPACE) {
            if (!typing.isEmpty()) {
                typing.setLength(typing.length() - 1);
            }
        } else if (key instanceof Key.Typed(char c)) {
            typing.append(c);
        }
    }

    private void table(Key key, int rows, int page, String selectedAgent) {
        switch (key) {
            case Key.Typed(char c) when c == 'q' || c == 'Q' -> quit = true;
            case Key.Typed(char c) when c == '/' -> {
                mode = Mode.FILTER;
                typing.setLength(0);
                typing.append(filter);
            }
            case Key.Typed(char c) when c == 's' -> sort = Sort.values()[(sort.ordinal() + 1) % Sort.values().length];
            case Key.Typed(char c) when c == '?' -> mode = Mode.HELP;
            case Key.Special.ESCAPE -> filter = ""; // Esc clears a filter, as in k9s
            case Key.Special.ENTER -> {
                if (selectedAgent != null) {
                    mode = Mode.DETAIL;
                    detailOf = selectedAgent;
                }
            }
            case Key.Special.UP -> selected--;
            case Key.Special.DOWN -> selected++;
            case Key.Special.PAGE_UP -> selected -= page;
            case Key.Special.PAGE_DOWN -> selected += page;
            case Key.Special.HOME -> selected = 0;
            case Key.Special.END -> selected = rows - 1;
            default -> {
            }
        }
    }

    /** After a key or a new frame: the selection stays on a row, and the rows shown include it. */
    public void keepInView(int rows, int page) {
        selected = Math.max(0, Math.min(selected, rows - 1));
        if (selected < top) {
            top = selected;
        } else if (selected >= top + page) {
            top = selected - page + 1;
        }
        top = Math.max(0, Math.min(top, Math.max(0, rows - page)));
    }
}
