package io.fleetshell.shell.watch;

import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.shell.render.Sparkline;
import io.fleetshell.shell.render.TextTable;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Renders a {@link WatchModel} as the text of one frame: a header with the totals, one row per agent (status,
 * time-to-healthy, p95 with a sparkline, change against baseline coloured by the thresholds, 5xx rate, alerts),
 * the top improvements and the active alerts; in the live loop, filtered, sorted and scrolled by a {@link WatchView}
 * with the keys in a footer, or one agent's {@linkplain #detail detail}, or the {@linkplain #help keys}. Pure functions
 * of what they are given.
 */
public final class Dashboard {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final String GREEN = "32";
    private static final String BOLD_GREEN = "1;32";
    private static final String RED = "31";
    private static final String YELLOW = "33";

    private Dashboard() {
    }

    /**
     * The frame's text, lines cut to {@code width} columns (0: no limit) and at most {@code maxRows} agent rows
     * (0: all), with ANSI colours when {@code ansi}.
     */
    public static String render(WatchModel model, int width, int maxRows, boolean ansi) {
        return render(model, null, width, maxRows, ansi);
    }

    /**
     * The live frame: the rows {@code view} passes, in its order, scrolled to its selection (marked {@code >}), the
     * filter being typed, and the keys in a footer. With a null view, every row in inventory order and no footer (the
     * frame {@code watch --once} prints).
     */
    public static String render(WatchModel model, WatchView view, int width, int maxRows, boolean ansi) {
        List<String> lines = new ArrayList<>();
        lines.add(style(ansi, "1", "fleetshell watch") + "  %s  cycle %d, every %s, %d agents read in %d ms (CPU %d ms) from %s".formatted(
                TIME.format(model.at()), model.cycle(), seconds(model.interval().toMillis()), model.rows().size(),
                model.took().toMillis(), model.cpu().toMillis(), model.source()));
        Thresholds t = model.thresholds();
        lines.add("agents %d   healthy %d/%d (%.1f%%)   improved %d   regressed %d   alerts %d   thresholds: target +%.0f%%, minimum +%.0f%%, regression %.0f%%"
                .formatted(model.rows().size(), model.up(), model.rows().size(), model.healthPercent(),
                        model.count(Change.Verdict.TARGET, Change.Verdict.IMPROVED), model.count(Change.Verdict.REGRESSED),
                        model.withAlerts().size(), 100 * t.targetImprovement(), 100 * t.minimumImprovement(), 100 * t.regressionAlert()));
        lines.add("");
        TextTable table = new TextTable("MACHINE", "AGENT", "STATUS", "HEALTHY IN", "P95", "P95 TREND", "VS BASELINE", "REQ", "5XX", "ALERT");
        List<WatchModel.Row> rows = view == null ? model.rows() : view.rows(model);
        int first = view == null ? 0 : Math.min(view.top(), rows.size());
        int shown = maxRows > 0 && rows.size() - first > maxRows ? maxRows : rows.size() - first;
        for (WatchModel.Row r : rows.subList(first, first + shown)) {
            table.row(r.agent().machine(), r.agent().name(), status(r, ansi),
                    Double.isNaN(r.timeToHealthySeconds()) ? "-" : "%.2f s".formatted(r.timeToHealthySeconds()),
                    Double.isNaN(r.p95Seconds()) ? (r.status() == WatchModel.Status.UP && r.detail().isEmpty() ? "idle" : "-")
                            : "%.1f ms".formatted(r.p95Seconds() * 1000),
                    Sparkline.of(r.p95History()), change(r.change(), ansi), "%.0f".formatted(r.requests()),
                    Double.isNaN(r.errorRate()) ? "-" : "%.1f%%".formatted(100 * r.errorRate()),
                    r.alerts().isEmpty() ? "" : style(ansi, RED, r.alerts().getFirst()));
        }
        List<String> tableLines = table.render().lines().toList();
        if (view == null) {
            lines.addAll(tableLines);
            if (shown < rows.size()) {
                lines.add("... %d more agents (a taller terminal shows them; watch AGENT... or --machine M narrows)".formatted(rows.size() - shown));
            }
        } else {
            for (int i = 0; i < tableLines.size(); i++) {
                boolean selected = i > 0 && first + i - 1 == view.selected();
                lines.add((selected ? style(ansi, "7", ">") + " " : "  ") + tableLines.get(i));
            }
            if (rows.isEmpty() && !model.rows().isEmpty()) {
                lines.add("  no agent matches the filter '%s' (Esc clears it)".formatted(view.filter()));
            } else if (shown < rows.size()) {
                lines.add("  rows %d-%d of %d (arrows, PgUp/PgDn scroll)".formatted(first + 1, first + shown, rows.size()));
            }
        }
        List<WatchModel.Row> improved = rows.stream().filter(r -> r.change() != null && r.change().percent() > 0
                        && (r.change().verdict() == Change.Verdict.TARGET || r.change().verdict() == Change.Verdict.IMPROVED))
                .sorted(Comparator.comparingDouble((WatchModel.Row r) -> r.change().percent()).reversed()).limit(3).toList();
        lines.add("");
        lines.add("top improvements: " + (improved.isEmpty() ? "none yet"
                : String.join(", ", improved.stream().map(r -> "%s %+.0f%%".formatted(r.agent(), r.change().percent())).toList())));
        List<WatchModel.Row> alerting = model.withAlerts();
        lines.add("active alerts: " + (alerting.isEmpty() ? "none" : alerting.size()));
        int alertLines = maxRows > 0 ? Math.max(3, maxRows / 4) : alerting.size();
        for (WatchModel.Row r : alerting.subList(0, Math.min(alertLines, alerting.size()))) {
            lines.add("  " + style(ansi, RED, r.agent().toString()) + ": " + String.join("; ", r.alerts()));
        }
        if (alerting.size() > alertLines) {
            lines.add("  ... %d more".formatted(alerting.size() - alertLines));
        }
        if (view != null) {
            lines.add("");
            if (view.mode() == WatchView.Mode.FILTER) {
                lines.add("filter: /" + view.filter() + "_   (Enter applies, Esc cancels)");
            } else if (!view.filter().isEmpty()) {
                lines.add("filter: /" + view.filter() + "   (/ changes it, Esc clears it)");
            }
            lines.add(style(ansi, "7", "q or Ctrl-C leaves   / filter   s sort: " + view.sort().label() + "   arrows PgUp PgDn scroll   "
                    + "Enter detail   ? keys"));
        }
        return join(lines, width);
    }

    /** Lines under the table that a live frame needs besides the agent rows: header, totals, summaries, filter, footer. */
    public static final int CHROME_LINES = 16;

    /** One agent's page (Enter on its row): its row's figures, then its latest scrapes, starts, gate decisions and log. */
    public static String detail(WatchModel.Row row, WatchFacts.Detail detail, int width, boolean ansi) {
        List<String> lines = new ArrayList<>();
        lines.add(style(ansi, "1", row.agent().toString()) + "  " + status(row, ansi) + (row.detail().isEmpty() ? "" : " (" + row.detail() + ")")
                + "   p95 " + (Double.isNaN(row.p95Seconds()) ? "-" : "%.1f ms".formatted(row.p95Seconds() * 1000))
                + "   vs baseline " + change(row.change(), ansi)
                + "   5xx " + (Double.isNaN(row.errorRate()) ? "-" : "%.1f%%".formatted(100 * row.errorRate())));
        if (row.change() != null) {
            lines.add("  baseline comparison: " + row.change().basis());
        }
        row.alerts().forEach(a -> lines.add("  " + style(ansi, RED, "alert: ") + a));
        section(lines, "latest scrapes", detail.scrapes(), "none stored in the last hour");
        section(lines, "start history", detail.starts(), "never started or restarted by fleetshell");
        section(lines, "last gate decisions", detail.decisions(), "no gate has judged it yet");
        section(lines, "log " + detail.log(), detail.logTail(), "empty or absent");
        lines.add("");
        lines.add(style(ansi, "7", "Esc or Enter back   q or Ctrl-C leaves"));
        return join(lines, width);
    }

    /** The keys ({@code ?}). */
    public static String help(int width, boolean ansi) {
        List<String> lines = new ArrayList<>(List.of(style(ansi, "1", "fleetshell watch: keys"), "",
                "  q, Ctrl-C        leave watch",
                "  /                filter rows: type part of a machine, agent, status or alert; Enter applies, Esc cancels",
                "  Esc              clear the filter; in a detail, go back",
                "  s                sort by the next column: " + String.join(", ",
                        java.util.Arrays.stream(WatchView.Sort.values()).map(WatchView.Sort::label).toList()),
                "  Up, Down         move the selection",
                "  PgUp, PgDn       a page up or down; Home, End the first or last row",
                "  Enter            the selected agent's detail: latest scrapes, start history, last gate decisions, log tail",
                "  ?                this page",
                "",
                "VS BASELINE is the change of p95 latency against the agent's runtime baseline, with the one-sided rank test's p:",
                "'not significant' means the samples cannot tell it from noise yet, whatever the percentage.",
                "", style(ansi, "7", "any key goes back")));
        return join(lines, width);
    }

    private static void section(List<String> lines, String title, List<String> content, String none) {
        lines.add("");
        lines.add(title + ":");
        if (content.isEmpty()) {
            lines.add("  (" + none + ")");
        }
        content.forEach(l -> lines.add("  " + l));
    }

    private static String join(List<String> lines, int width) {
        StringBuilder frame = new StringBuilder();
        for (String line : lines) {
            frame.append(width > 0 ? cut(line, width) : line).append('\n');
        }
        return frame.toString();
    }

    private static String status(WatchModel.Row r, boolean ansi) {
        return switch (r.status()) {
            case UP -> style(ansi, GREEN, "up");
            case ERROR -> style(ansi, YELLOW, "error");
            case DOWN -> style(ansi, RED, "DOWN");
        };
    }

    private static String change(Change change, boolean ansi) {
        if (change == null) {
            return "no baseline";
        }
        if (change.verdict() == Change.Verdict.UNKNOWN) {
            return "need samples";
        }
        String text = "%+.0f%%".formatted(change.percent());
        String p = " (" + p(change.p()) + ")";
        return switch (change.verdict()) {
            case TARGET -> style(ansi, BOLD_GREEN, text + " target") + p;
            case IMPROVED -> style(ansi, GREEN, text + " improved") + p;
            case REGRESSED -> style(ansi, RED, text + " REGRESSED") + p;
            // Never a bare percentage: a large change that is not significant is noise until more samples say otherwise.
            default -> text + (change.significant() ? " significant, within thresholds" : " not significant") + p;
        };
    }

    /** The rank test's p as evidence tables print it. */
    static String p(double p) {
        if (Double.isNaN(p)) {
            return "p unknown";
        }
        return p < 0.0001 ? "p < 0.0001" : p < 0.01 ? "p = %.4f".formatted(p) : "p = %.2f".formatted(p);
    }

    private static String style(boolean ansi, String sgr, String text) {
        return ansi ? "\u001b[" + sgr + "m" + text + "\u001b[0m" : text;
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** Cuts a line to {@code width} visible columns, keeping escape sequences whole and closing any colour. */
    static String cut(String line, int width) {
        StringBuilder out = new StringBuilder();
        int visible = 0;
        boolean styled = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\u001b') {
                int end = line.indexOf('m', i);
                if (end < 0) {
                    break;
                }
                String seq = line.substring(i, end + 1);
                out.append(seq);
                styled = !seq.equals("\u001b[0m");
                i = end;
                continue;
            }
            if (visible == width) {
                break;
            }
            out.append(c);
            visible++;
        }
        if (styled) {
            out.append("\u001b[0m");
        }
        return out.toString();
    }
}
