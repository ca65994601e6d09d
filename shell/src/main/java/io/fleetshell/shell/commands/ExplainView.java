package io.fleetshell.shell.commands;

import io.fleetshell.engine.rollout.Decision;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentJournal;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TerminalText;
import io.fleetshell.shell.render.TextTable;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How {@code explain} reads: a summary of the deployment (batches, steps, verdicts, durations), then per decision a
 * verdict line that says what was decided and why in words ({@code gate p95 latency: PASS: ...}), then an aligned
 * evidence table with samples in a compact form, times rounded and p-values as {@code p = 0.0040}. It renders any
 * stored {@link Decision} from its evidence map alone, so a new gate or proof check shows without code here; the
 * references into other tables (decision ids, sample ids) and every value in full are for {@code --raw} and
 * {@code --json}. One vocabulary for verdicts: PASS, FAIL, HOLD (and SKIP for a check that did not run).
 */
final class ExplainView {

    /** Evidence that points into other tables: shown with {@code --raw}. */
    private static final Set<String> REFERENCES = Set.of("decision_id", "table", "sample_ids");
    private static final int SAMPLES_IN_FULL = 8;

    private ExplainView() {
    }

    /** PASS, FAIL, HOLD or SKIP: a proof's PASSED and FAILED say the same as a gate's PASS and FAIL. */
    static String word(Decision.Verdict verdict) {
        return switch (verdict) {
            case PASSED, PASS -> "PASS";
            case FAILED, FAIL -> "FAIL";
            case HOLD -> "HOLD";
            case SKIPPED -> "SKIP";
        };
    }

    /** What {@code explain N} prints first: the deployment in a few lines. */
    record Overview(int batches, Map<String, Long> steps, Map<String, Long> verdicts, Long seconds, List<BatchLine> batchLines) {

        /** One batch: its verdict from the batch gate, how long it took, and its steps' states. */
        record BatchLine(int batch, String verdict, Long seconds, List<String> steps) {
        }
    }

    static Overview overview(Deployment d, List<StoredStep> steps, List<DeploymentJournal.Recorded> decisions,
                             List<DeploymentJournal.Entry> journal) {
        Map<Integer, List<StoredStep>> byBatch = steps.stream()
                .collect(Collectors.groupingBy(StoredStep::batch, TreeMap::new, Collectors.toList()));
        Map<String, Long> stepStates = steps.stream().collect(Collectors.groupingBy(s -> s.state().text(), LinkedHashMap::new,
                Collectors.counting()));
        Map<String, Long> verdicts = new LinkedHashMap<>();
        for (String w : List.of("PASS", "FAIL", "HOLD", "SKIP")) {
            long count = decisions.stream().filter(r -> word(r.decision().verdict()).equals(w)).count();
            if (count > 0) {
                verdicts.put(w, count);
            }
        }
        Instant last = journal.stream().map(DeploymentJournal.Entry::at).max(Instant::compareTo).orElse(null);
        Instant end = d.finishedAt() != null ? d.finishedAt() : last;
        Long seconds = end == null ? null : Math.max(0, Duration.between(d.createdAt(), end).toSeconds());
        List<Overview.BatchLine> lines = new ArrayList<>();
        byBatch.forEach((batch, batchSteps) -> {
            String verdict = decisions.stream().filter(r -> r.stepId() == null && batch.equals(r.batch()))
                    .map(r -> word(r.decision().verdict())).reduce((a, b) -> b)
                    .orElse(batchSteps.stream().allMatch(s -> s.state() == StepState.PENDING) ? "not run" : "no batch gate");
            List<Instant> times = journal.stream().filter(e -> batch.equals(e.batch())).map(DeploymentJournal.Entry::at).toList();
            Long batchSeconds = times.isEmpty() ? null
                    : Duration.between(times.stream().min(Instant::compareTo).orElseThrow(), times.stream().max(Instant::compareTo).orElseThrow())
                    .toSeconds();
            List<String> stepLines = batchSteps.stream().map(s -> {
                Long stepSeconds = span(journal, s.id());
                return "%s %s %s%s".formatted(s.label(), s.agent().name(), s.state().text(), stepSeconds == null ? "" : " (" + seconds(stepSeconds) + ")");
            }).toList();
            lines.add(new Overview.BatchLine(batch, verdict, batchSeconds, stepLines));
        });
        return new Overview(byBatch.size(), stepStates, verdicts, seconds, lines);
    }

    private static Long span(List<DeploymentJournal.Entry> journal, long stepId) {
        List<Instant> times = journal.stream().filter(e -> Long.valueOf(stepId).equals(e.stepId())).map(DeploymentJournal.Entry::at).toList();
        if (times.size() < 2) {
            return null;
        }
        return Duration.between(times.stream().min(Instant::compareTo).orElseThrow(), times.stream().max(Instant::compareTo).orElseThrow())
                .toSeconds();
    }

    static void printOverview(Output out, Deployment d, Overview o) {
        out.println(TextTable.wrap("", "  ", out.bold("deployment %d: %s".formatted(d.id(), d.state().words()))
                + ", started %s%s; %s".formatted(DeployCommands.WHEN.format(d.createdAt()),
                o.seconds() == null ? "" : ", took " + seconds(o.seconds()), d.pattern()), out.width()));
        if (d.summary() != null) {
            out.println(TextTable.wrap("  ", d.summary(), out.width()));
        }
        out.println("  %d batch%s, %d step%s: %s".formatted(o.batches(), o.batches() == 1 ? "" : "es", total(o.steps().values()),
                total(o.steps().values()) == 1 ? "" : "s", counts(o.steps())));
        out.println("  decisions: " + (o.verdicts().isEmpty() ? "none yet" : o.verdicts().entrySet().stream()
                .map(e -> e.getValue() + " " + style(out, e.getKey())).collect(Collectors.joining(", "))));
        for (Overview.BatchLine b : o.batchLines()) {
            out.println(TextTable.wrap("  batch %d.%d %s%s: ".formatted(d.id(), b.batch(), style(out, b.verdict()),
                    b.seconds() == null ? "" : " in " + seconds(b.seconds())), "    ", String.join(", ", b.steps()), out.width()));
        }
    }

    private static long total(Collection<Long> counts) {
        return counts.stream().mapToLong(Long::longValue).sum();
    }

    private static String counts(Map<String, Long> counts) {
        return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    static String seconds(long s) {
        return s < 120 ? s + " s" : "%dm%02ds".formatted(s / 60, s % 60);
    }

    /**
     * The verdict line, then the evidence: compact and aligned, or every value in full with {@code raw}; with
     * {@code fullText} (one step explained) multi-line text such as a test's output is shown whole.
     */
    static void printDecision(Output out, Decision d, String indent, boolean raw, boolean fullText) {
        out.println(TextTable.wrap(indent, indent + "    ", "%s %s: %s: %s".formatted(d.kind(), d.name(), style(out, word(d.verdict())),
                why(d)), raw ? 0 : out.width()));
        Map<String, String> rows = new LinkedHashMap<>();
        if (d.rule() != null) {
            rows.put("rule", d.rule());
        }
        d.evidence().forEach((key, value) -> {
            if (value == null || (!raw && REFERENCES.contains(key))) {
                return;
            }
            String shown = raw || (fullText && value instanceof String text && text.contains("\n")) ? String.valueOf(value) : compact(key, value);
            rows.put(raw ? key : key.replace('_', ' '), shown.startsWith(key + " = ") ? shown.substring(key.length() + 3) : shown);
        });
        int keyWidth = rows.keySet().stream().mapToInt(String::length).max().orElse(0);
        String pad = indent + "  ";
        rows.forEach((key, value) -> {
            String label = pad + key + " ".repeat(keyWidth - key.length() + 2);
            if (value.contains("\n")) {
                out.println(pad + key + ":");
                out.println(value.indent(pad.length() + 2).stripTrailing());
            } else if (raw) {
                out.println(label + value);
            } else {
                out.println(cut(label + value, out.width()));
            }
        });
    }

    /**
     * The summary the gate or check wrote, with the statistical test it was decided on when the summary does not
     * say it already: {@code Mann-Whitney p = 0.31 (not slower at alpha 0.05), 12 vs 12 samples}.
     */
    static String why(Decision d) {
        String summary = d.summary() == null ? "" : d.summary();
        if (summary.contains("p = ") || summary.contains("p=")) {
            return summary;
        }
        Object worse = d.evidence().get("test_worse");
        Object better = d.evidence().get("test_better");
        Double alpha = alpha(d.evidence());
        if (!(worse instanceof Map<?, ?> w) || !(better instanceof Map<?, ?> b) || alpha == null) {
            return summary;
        }
        boolean failed = d.verdict().failed();
        Map<?, ?> test = failed || d.verdict() == Decision.Verdict.HOLD ? w : b;
        Double p = number(test.get("p"));
        if (p == null) {
            return summary;
        }
        String method = String.valueOf(test.get("method") == null ? "rank test" : test.get("method")).replaceFirst(" .*", "");
        boolean significant = p < alpha;
        String meaning = test == w
                ? (significant ? "worse at alpha " : "not significantly worse at alpha ") + number(alpha)
                : (significant ? "better at alpha " : "not significantly better at alpha ") + number(alpha);
        Object n1 = test.get("n1");
        Object n2 = test.get("n2");
        return "%s, %s %s (%s)%s".formatted(summary, method, pValue(p), meaning,
                n1 == null || n2 == null ? "" : ", %s vs %s samples".formatted(n2, n1));
    }

    private static Double alpha(Map<String, Object> evidence) {
        Object alpha = evidence.get("alpha");
        if (alpha == null && evidence.get("thresholds") instanceof Map<?, ?> t) {
            alpha = t.get("significance");
        }
        return number(alpha);
    }

    /** A value of the evidence in a line: samples summarized, times rounded, p-values as {@code p = 0.0040}. */
    static String compact(String key, Object value) {
        if (value instanceof Number n && (key.equals("p") || key.endsWith("_p") || key.equals("p_value"))) {
            return pValue(n.doubleValue());
        }
        return switch (value) {
            case null -> "-";
            case Number n -> number(n);
            case Collection<?> list when list.isEmpty() -> "none";
            case Collection<?> list when list.stream().allMatch(v -> v instanceof Number) -> samples(list);
            case Collection<?> list -> list.stream().map(v -> compact("", v)).collect(Collectors.joining(", "));
            case Map<?, ?> map when map.isEmpty() -> "none";
            case Map<?, ?> map -> map.entrySet().stream()
                    // figures first, nested objects (such as a window's bounds) after them
                    .sorted(java.util.Comparator.comparingInt(e -> e.getValue() instanceof Map<?, ?> ? 2 : e.getValue() instanceof Collection<?> ? 1 : 0))
                    .filter(e -> e.getValue() != null && !REFERENCES.contains(String.valueOf(e.getKey()))
                            && !String.valueOf(e.getKey()).endsWith("_ids"))
                    .map(e -> {
                        String inner = compact(String.valueOf(e.getKey()), e.getValue());
                        String name = String.valueOf(e.getKey()).replace('_', ' ');
                        return e.getValue() instanceof Map<?, ?> ? name + " (" + inner + ")" : name.equals("p") ? inner : name + " " + inner;
                    })
                    .collect(Collectors.joining(", "));
            default -> text(String.valueOf(value));
        };
    }

    /** Eight samples or fewer in full, more as their count, range and median. */
    private static String samples(Collection<?> list) {
        List<Double> values = list.stream().map(v -> ((Number) v).doubleValue()).toList();
        if (values.size() <= SAMPLES_IN_FULL) {
            return values.stream().map(ExplainView::number).collect(Collectors.joining(" "));
        }
        List<Double> sorted = values.stream().sorted().toList();
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        return "%d samples, %s .. %s, median %s".formatted(values.size(), number(sorted.getFirst()), number(sorted.getLast()), number(median));
    }

    static String pValue(double p) {
        return p < 0.0001 ? "p < 0.0001" : p >= 0.01 ? "p = %.2f".formatted(p) : "p = %.4f".formatted(p);
    }

    /** Three significant figures at most, no trailing zeros: 130.585 -> 131, 27.557 -> 27.6, 0.00396 -> 0.004. */
    static String number(Number n) {
        if (n instanceof Integer || n instanceof Long) {
            return n.toString();
        }
        double v = n.doubleValue();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        double abs = Math.abs(v);
        String text = abs >= 100 ? "%.0f".formatted(v) : abs >= 10 ? "%.1f".formatted(v) : abs >= 1 ? "%.2f".formatted(v)
                : new java.math.BigDecimal(v).round(new java.math.MathContext(2)).toPlainString();
        return text.contains(".") ? text.replaceFirst("0+$", "").replaceFirst("\\.$", "") : text;
    }

    private static Double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : null;
    }

    /** A string of evidence: instants as local minutes and seconds, other text on one line. */
    private static String text(String value) {
        if (value.length() >= 20 && value.length() <= 40 && Character.isDigit(value.charAt(0)) && value.contains("T")) {
            try {
                return DeployCommands.WHEN.format(Instant.parse(value));
            } catch (DateTimeParseException e) {
                return value;
            }
        }
        if (value.contains("\n")) {
            List<String> lines = value.strip().lines().toList();
            return lines.isEmpty() ? "" : lines.size() == 1 ? lines.getFirst()
                    : lines.getFirst() + " (%d lines; --raw shows them)".formatted(lines.size());
        }
        return value.isEmpty() ? "(empty)" : value;
    }

    private static String cut(String line, int width) {
        return width <= 0 || line.length() <= width ? line : line.substring(0, width - 1) + TerminalText.ELLIPSIS;
    }

    static String style(Output out, String word) {
        String colour = switch (word) {
            case "PASS" -> "32";
            case "FAIL" -> "31";
            case "HOLD" -> "33";
            default -> null;
        };
        return colour == null ? word : out.style(word, colour);
    }

    /** Counts in the JSON of {@code explain}: the overview. */
    record OverviewJson(int batches, Map<String, Long> steps, Map<String, Long> verdicts, Long seconds) {

        static OverviewJson of(Overview o) {
            return new OverviewJson(o.batches(), o.steps(), o.verdicts(), o.seconds());
        }
    }
}
