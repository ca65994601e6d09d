package io.fleetshell.engine.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a {@code /metrics} answer in the Prometheus text format 0.0.4 or OpenMetrics 1.0: {@code # HELP},
 * {@code # TYPE} and (OpenMetrics) {@code # UNIT} lines, other comments (text format only), samples with
 * labels and escapes ({@code \\ \" \n}), values including {@code NaN}, {@code +Inf} and {@code -Inf},
 * optional timestamps (milliseconds in the text format, seconds in OpenMetrics) and OpenMetrics exemplars
 * (checked and dropped). Samples are grouped into families by their TYPE lines and the suffixes each type
 * owns ({@code _bucket}, {@code _sum}, {@code _count}, {@code _total}, ...).
 *
 * <p>Anything else is a {@link MalformedExpositionException} naming the line and column: an unterminated
 * label value, a bad escape, a value that is not a number, a bucket without {@code le}, a second TYPE line,
 * a TYPE after its samples, and a cut-off answer (the text format's last line must end with a line feed,
 * OpenMetrics must end with {@code # EOF}), which is how a truncated scrape is told from a complete one.
 */
public final class ExpositionParser {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");

    /**
     * Names and label values seen recently, shared by every parse (scrapes run on many threads: a lost or torn-free
     * racy write only costs a miss, and a String is safe to publish so). Across 1,000 agents' scrapes the same few
     * hundred strings recur; sharing them keeps a watch's retained expositions small and their hashes computed once.
     */
    private static final String[] RECENT = new String[1 << 13];

    private final ExpositionFormat format;
    private final Map<String, Family> families = new LinkedHashMap<>();
    /** One map for every sample's labels: {@link Sample} keeps a copy, so the parser need not allocate one per line. */
    private final Map<String, String> labelBuffer = new LinkedHashMap<>();
    private Family current;
    private String line;
    private int lineNumber;
    private int pos;

    private ExpositionParser(ExpositionFormat format) {
        this.format = format;
    }

    /** Parses a whole answer. */
    public static Exposition parse(String text, ExpositionFormat format) {
        return new ExpositionParser(format).read(text);
    }

    private Exposition read(String text) {
        boolean om = format == ExpositionFormat.OPENMETRICS;
        String[] lines = text.split("\n", -1);
        // split leaves one empty string after a final line feed; anything else there is an unterminated line.
        int last = lines.length - 1;
        boolean eof = false;
        for (int i = 0; i < lines.length; i++) {
            lineNumber = i + 1;
            line = lines[i];
            pos = 0;
            if (i == last && line.isEmpty()) {
                break;
            }
            if (i == last && !om) {
                // Errors are reported in reading order; a last line that reads to its end was still cut off.
                MalformedExpositionException cutOff = new MalformedExpositionException(lineNumber, line.length() + 1,
                        "the last line does not end with a line feed: the answer was cut off");
                try {
                    if (line.startsWith("#")) {
                        comment();
                    } else if (!line.isBlank()) {
                        sample();
                    }
                } catch (MalformedExpositionException e) {
                    throw e.column() > line.length() ? cutOff : e;
                }
                throw cutOff;
            }
            if (eof) {
                throw error("text after # EOF");
            }
            if (line.isBlank()) {
                if (om) {
                    throw error("blank line; OpenMetrics allows none");
                }
                continue;
            }
            if (line.startsWith("#")) {
                eof = comment();
            } else {
                sample();
            }
        }
        if (om && !eof) {
            lineNumber = lines.length;
            line = lines[last];
            pos = line.length();
            throw error("no # EOF line: the answer was cut off");
        }
        List<MetricFamily> result = new ArrayList<>();
        families.values().forEach(f -> result.add(new MetricFamily(f.name, f.type, f.help == null ? "" : f.help, f.unit, f.samples)));
        return new Exposition(format, result);
    }

    /** A {@code #} line; returns true for OpenMetrics' {@code # EOF}. */
    private boolean comment() {
        boolean om = format == ExpositionFormat.OPENMETRICS;
        if (om && line.equals("# EOF")) {
            return true;
        }
        pos = 1;
        if (om && !line.startsWith("# ")) {
            throw error("expected '# HELP', '# TYPE', '# UNIT' or '# EOF'");
        }
        skipBlanks();
        int wordStart = pos;
        while (pos < line.length() && !isBlank(line.charAt(pos))) {
            pos++;
        }
        String keyword = line.substring(wordStart, pos);
        if (!keyword.equals("HELP") && !keyword.equals("TYPE") && !(om && keyword.equals("UNIT"))) {
            if (om) {
                pos = wordStart;
                throw error("unknown descriptor '" + keyword + "'; OpenMetrics allows HELP, TYPE, UNIT and EOF");
            }
            return false; // a plain comment
        }
        requireBlank("after " + keyword);
        int nameColumn = pos;
        String name = metricName();
        Family family = families.computeIfAbsent(name, Family::new);
        switch (keyword) {
            case "HELP" -> {
                if (family.help != null) {
                    pos = nameColumn;
                    throw error("second HELP line for " + name);
                }
                family.help = pos < line.length() ? helpText() : "";
            }
            case "UNIT" -> {
                family.unit = pos < line.length() ? line.substring(pos + 1) : "";
            }
            default -> {
                if (family.typed) {
                    pos = nameColumn;
                    throw error("second TYPE line for " + name);
                }
                if (!family.samples.isEmpty()) {
                    pos = nameColumn;
                    throw error("TYPE line for " + name + " after its samples (first at line " + family.firstLine + ")");
                }
                requireBlank("after the metric name");
                int typeColumn = pos;
                String word = line.substring(pos).strip();
                family.type = MetricType.named(word, format).orElseThrow(() -> {
                    pos = typeColumn;
                    return error("unknown metric type '" + word + "'");
                });
                family.typed = true;
            }
        }
        return false;
    }

    private String helpText() {
        requireBlank("after the metric name");
        StringBuilder help = new StringBuilder();
        while (pos < line.length()) {
            char c = line.charAt(pos);
            if (c == '\\' && pos + 1 < line.length()) {
                char next = line.charAt(pos + 1);
                if (next == '\\' || next == 'n' || (next == '"' && format == ExpositionFormat.OPENMETRICS)) {
                    help.append(next == 'n' ? '\n' : next);
                    pos += 2;
                    continue;
                }
            }
            help.append(c);
            pos++;
        }
        return help.toString();
    }

    private void sample() {
        int nameColumn = pos;
        String name = metricName();
        Map<String, String> labels = labelBuffer;
        labels.clear();
        int afterName = pos;
        if (format == ExpositionFormat.TEXT) {
            skipBlanks(); // the text format allows blanks between the name and its labels
        }
        if (pos < line.length() && line.charAt(pos) == '{') {
            labels = labels(labelBuffer);
        } else {
            pos = afterName;
        }
        requireBlank("between the metric and its value");
        double value = value(token(), "value");
        Long timestamp = null;
        if (pos < line.length() && isBlank(line.charAt(pos))) {
            skipBlanks();
            if (pos < line.length() && line.charAt(pos) != '#') {
                timestamp = timestamp(token());
            }
        }
        if (pos < line.length() && format == ExpositionFormat.OPENMETRICS) {
            skipBlanks();
            if (pos < line.length()) {
                exemplar();
            }
        }
        skipBlanks();
        if (pos < line.length()) {
            throw error("unexpected text after the sample");
        }
        Family family = familyOf(name, nameColumn);
        check(family, name, labels, nameColumn);
        if (current != family && !family.samples.isEmpty() && format == ExpositionFormat.OPENMETRICS) {
            pos = nameColumn;
            throw error("samples of " + family.name + " are interleaved with another metric's (first at line "
                    + family.firstLine + ")");
        }
        if (family.samples.isEmpty()) {
            family.firstLine = lineNumber;
        }
        current = family;
        family.samples.add(new Sample(name, labels, value, timestamp));
    }

    /** The family a sample belongs to: a typed family owning its suffix, else the family of its own name. */
    private Family familyOf(String name, int column) {
        for (Family f : families.values()) {
            if (f.typed && name.length() > f.name.length() && name.startsWith(f.name)
                    && f.type.suffixes(format).contains(name.substring(f.name.length()))) {
                return f;
            }
        }
        Family own = families.computeIfAbsent(name, Family::new);
        if (format == ExpositionFormat.OPENMETRICS && own.typed && !own.type.suffixes(format).isEmpty()
                && own.type != MetricType.SUMMARY) {
            pos = column;
            throw error("a " + own.type.name().toLowerCase() + "'s samples are named " + name
                    + String.join("|", own.type.suffixes(format)) + ", not " + name);
        }
        return own;
    }

    private void check(Family family, String name, Map<String, String> labels, int column) {
        boolean bucket = name.endsWith("_bucket") && (family.type == MetricType.HISTOGRAM || family.type == MetricType.GAUGEHISTOGRAM);
        if (bucket) {
            requireNumberLabel(labels, "le", name, column);
        } else if (family.type == MetricType.SUMMARY && name.equals(family.name)) {
            requireNumberLabel(labels, "quantile", name, column);
        }
    }

    private void requireNumberLabel(Map<String, String> labels, String label, String name, int column) {
        String v = labels.get(label);
        if (v == null) {
            pos = column;
            throw error(name + " has no '" + label + "' label");
        }
        if (!isNumber(v)) {
            pos = column;
            throw error(name + " has " + label + "=\"" + v + "\", which is not a number");
        }
    }

    /** Reads a label set into {@code labels} (cleared first) and returns it. */
    private Map<String, String> labels(Map<String, String> labels) {
        labels.clear();
        pos++; // '{'
        while (true) {
            skipBlanks();
            if (pos >= line.length()) {
                throw error("the label set is not closed with '}'");
            }
            if (line.charAt(pos) == '}') {
                pos++;
                return labels;
            }
            int nameColumn = pos;
            String name = labelName();
            skipBlanks();
            expect('=');
            skipBlanks();
            String value = quoted();
            if (labels.put(name, value) != null) {
                pos = nameColumn;
                throw error("label " + name + " appears twice");
            }
            skipBlanks();
            if (pos < line.length() && line.charAt(pos) == ',') {
                pos++;
            } else if (pos < line.length() && line.charAt(pos) != '}') {
                throw error("expected ',' or '}' after a label value");
            }
        }
    }

    private String quoted() {
        expect('"');
        int start = pos;
        // Most values have no escape: one substring, no builder (a watch cycle reads ~200,000 label values).
        for (int i = start; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                pos = i + 1;
                return shared(start, i);
            }
            if (c == '\\') {
                break;
            }
        }
        StringBuilder value = new StringBuilder();
        while (pos < line.length()) {
            char c = line.charAt(pos);
            if (c == '"') {
                pos++;
                return value.toString();
            }
            if (c == '\\') {
                if (pos + 1 >= line.length()) {
                    break;
                }
                char next = line.charAt(pos + 1);
                switch (next) {
                    case '\\', '"' -> value.append(next);
                    case 'n' -> value.append('\n');
                    default -> {
                        pos++;
                        throw error("invalid escape '\\" + next + "' in a label value; only \\\\, \\\" and \\n are allowed");
                    }
                }
                pos += 2;
                continue;
            }
            value.append(c);
            pos++;
        }
        throw error("the label value is not closed with '\"'");
    }

    private void exemplar() {
        if (!line.startsWith("# {", pos)) {
            throw error("expected an exemplar ('# {labels} value') or the end of the line");
        }
        pos += 2;
        labels(new LinkedHashMap<>());
        requireBlank("between the exemplar's labels and its value");
        value(token(), "exemplar value");
        if (pos < line.length()) {
            requireBlank("before the exemplar's timestamp");
            value(token(), "exemplar timestamp");
        }
    }

    private double value(String token, String what) {
        if (!isNumber(token)) {
            pos -= token.length();
            throw error("'" + token + "' is not a number (" + what + "); expected a float, NaN, +Inf or -Inf");
        }
        return switch (token) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(token);
        };
    }

    private Long timestamp(String token) {
        if (format == ExpositionFormat.TEXT) {
            if (!INTEGER.matcher(token).matches()) {
                pos -= token.length();
                throw error("'" + token + "' is not a timestamp; the text format wants integer milliseconds");
            }
            try {
                return Long.parseLong(token);
            } catch (NumberFormatException e) {
                pos -= token.length();
                throw error("timestamp '" + token + "' is out of range");
            }
        }
        if (!DECIMAL.matcher(token).matches()) {
            pos -= token.length();
            throw error("'" + token + "' is not a timestamp; OpenMetrics wants seconds since the epoch");
        }
        return Math.round(Double.parseDouble(token) * 1000);
    }

    static boolean isNumber(String token) {
        return token.equals("NaN") || token.equals("+Inf") || token.equals("-Inf") || token.equals("Inf") || isDecimal(token);
    }

    /** {@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?}, by hand: a regex per value was a tenth of a scrape's CPU. */
    private static boolean isDecimal(String t) {
        int i = 0;
        int n = t.length();
        if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
            digits++;
        }
        if (i < n && t.charAt(i) == '.') {
            i++;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
            i++;
            if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
                i++;
            }
            int exponent = 0;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                i++;
                exponent++;
            }
            if (exponent == 0) {
                return false;
            }
        }
        return i == n;
    }

    /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*} */
    private String metricName() {
        return name(true, "a metric name");
    }

    /** {@code [a-zA-Z_][a-zA-Z0-9_]*} */
    private String labelName() {
        return name(false, "a label name");
    }

    private String name(boolean colons, String what) {
        int start = pos;
        while (pos < line.length()) {
            char c = line.charAt(pos);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || colons && c == ':' || pos > start && c >= '0' && c <= '9';
            if (!ok) {
                break;
            }
            pos++;
        }
        if (pos == start) {
            throw error("expected " + what + (pos < line.length() ? ", found '" + line.charAt(pos) + "'" : ", found the end of the line"));
        }
        return shared(start, pos);
    }

    /** {@code line.substring(start, end)}, or an equal string from {@link #RECENT}. */
    private String shared(int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + line.charAt(i);
        }
        int slot = (h ^ (h >>> 13)) & (RECENT.length - 1);
        String known = RECENT[slot];
        int length = end - start;
        if (known != null && known.length() == length && line.regionMatches(start, known, 0, length)) {
            return known;
        }
        String fresh = line.substring(start, end);
        RECENT[slot] = fresh;
        return fresh;
    }

    private String token() {
        int start = pos;
        while (pos < line.length() && !isBlank(line.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a number, found the end of the line");
        }
        return line.substring(start, pos);
    }

    private void expect(char c) {
        if (pos >= line.length() || line.charAt(pos) != c) {
            throw error("expected '" + c + "'" + (pos < line.length() ? ", found '" + line.charAt(pos) + "'" : ", found the end of the line"));
        }
        pos++;
    }

    private void requireBlank(String where) {
        if (pos >= line.length() || !isBlank(line.charAt(pos))) {
            throw error("expected a space " + where + (pos < line.length() ? ", found '" + line.charAt(pos) + "'" : ", found the end of the line"));
        }
        if (format == ExpositionFormat.OPENMETRICS) {
            pos++; // exactly one space
        } else {
            skipBlanks();
        }
    }

    private void skipBlanks() {
        while (pos < line.length() && isBlank(line.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private MalformedExpositionException error(String reason) {
        return new MalformedExpositionException(lineNumber, pos + 1, reason);
    }

    /** A family while it is being read. */
    private static final class Family {
        final String name;
        MetricType type = MetricType.UNTYPED;
        boolean typed;
        String help;
        String unit = "";
        final List<Sample> samples = new ArrayList<>();
        int firstLine;

        Family(String name) {
            this.name = name;
        }
    }
}
