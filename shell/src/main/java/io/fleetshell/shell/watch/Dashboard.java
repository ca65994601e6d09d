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
 * the top improvements and the active alerts. A pure function of the model, the width and the row limit.
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
        List<WatchModel.Row> rows = model.rows();
        int shown = maxRows > 0 && rows.size() > maxRows ? maxRows : rows.size();
        for (WatchModel.Row r : rows.subList(0, shown)) {
            table.row(r.agent().machine(), r.agent().name(), status(r, ansi),
                    Double.isNaN(r.timeToHealthySeconds()) ? "-" : "%.2f s".formatted(r.timeToHealthySeconds()),
                    Double.isNaN(r.p95Seconds()) ? (r.status() == WatchModel.Status.UP && r.detail().isEmpty() ? "idle" : "-")
                            : "%.1f ms".formatted(r.p95Seconds() * 1000),
                    Sparkline.of(r.p95History()), change(r.change(), ansi), "%.0f".formatted(r.requests()),
                    Double.isNaN(r.errorRate()) ? "-" : "%.1f%%".formatted(100 * r.errorRate()),
                    r.alerts().isEmpty() ? "" : style(ansi, RED, r.alerts().getFirst()));
        }
        table.render().lines().forEach(lines::add);
        if (shown < rows.size()) {
            lines.add("... %d more agents (a taller terminal shows them; watch AGENT... or --machine M narrows)".formatted(rows.size() - shown));
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
        return switch (change.verdict()) {
            case TARGET -> style(ansi, BOLD_GREEN, text + " target");
            case IMPROVED -> style(ansi, GREEN, text + " improved");
            case REGRESSED -> style(ansi, RED, text + " REGRESSED");
            default -> text;
        };
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
