package io.fleetshell.shell.cli;

import io.fleetshell.shell.render.TerminalText;
import io.fleetshell.shell.render.TextTable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Where a command writes: data to {@code out} (stdout in one-shot mode), messages to {@code err}
 * (stderr). In the REPL both are the terminal. Structured output goes to {@code out} and nothing else does when
 * a command runs with {@code --json} or {@code -o json|yaml|name}: {@link #json} writes the value in the chosen
 * {@link Format}. Result records serialize with snake_case field names ({@code timeToHealthyMs} prints as
 * {@code time_to_healthy_ms}), the names the JSON output has always used. Every line printed as text passes
 * through {@link TerminalText#safe}, and tables fit {@link #width()}.
 */
public final class Output {

    /** Built on the first structured output: every command writes through an Output, few of them JSON or YAML. */
    private static final class Mappers {
        static final JsonMapper JSON = JsonMapper.builder()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .build();

        static final YAMLMapper YAML = YAMLMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .build();
    }

    /** What {@code -o} asks for: text fitted to the terminal (the default), every column in full, or data. */
    public enum Format {
        TEXT, WIDE, JSON, YAML, NAME;

        /** Whether the command prints data ({@code --json} is on) rather than text. */
        public boolean structured() {
            return this == JSON || this == YAML || this == NAME;
        }

        public static Format parse(String text) {
            for (Format f : values()) {
                if (f != TEXT && f.name().toLowerCase(Locale.ROOT).equals(text)) {
                    return f;
                }
            }
            return null;
        }
    }

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean ansi;
    private final IntSupplier width;
    private final Format format;

    public Output(PrintWriter out, PrintWriter err, boolean ansi) {
        this(out, err, ansi, () -> 0, Format.TEXT);
    }

    /** @param width the terminal's width in columns as it is now; 0 for no limit (a pipe or a file) */
    public Output(PrintWriter out, PrintWriter err, boolean ansi, IntSupplier width, Format format) {
        this.out = out;
        this.err = err;
        this.ansi = ansi;
        this.width = width;
        this.format = format;
    }

    /** The same writers for one command run with {@code -o FORMAT} and, with {@code --no-color}, without colour. */
    public Output forCommand(Format format, boolean noColor) {
        return new Output(out, err, ansi && !noColor, width, format);
    }

    public PrintWriter out() {
        return out;
    }

    /** The same output, each stream written through {@code wrap} (the status line erases itself before each write). */
    public Output writingThrough(java.util.function.UnaryOperator<PrintWriter> wrap) {
        return new Output(wrap.apply(out), wrap.apply(err), ansi, width, format);
    }

    public Format format() {
        return format;
    }

    public boolean ansi() {
        return ansi;
    }

    /** Columns a line may take: 0 for no limit ({@code -o wide}, or output to a pipe or file without COLUMNS). */
    public int width() {
        return format == Format.WIDE ? 0 : Math.max(0, width.getAsInt());
    }

    /** A line of data. */
    public void println(String line) {
        out.println(TerminalText.safe(line, ansi));
        out.flush();
    }

    /**
     * A line of data that is prose (what a command did, in a sentence): on stdout like {@link #println}, but wrapped at
     * spaces to the terminal's width, never inside a word. Not for diffs, tables or anything copied as it is.
     */
    public void sentence(String line) {
        out.println(wrapped(TerminalText.safe(line, ansi), "", ""));
        out.flush();
    }

    /** A {@link #sentence} that is an item of a list: indented two spaces, its further lines four. */
    public void item(String line) {
        out.println(wrapped(TerminalText.safe(line, ansi), "  ", "    "));
        out.flush();
    }

    /** A table fitted to {@link #width()}; the columns it had to leave out are named on stderr. */
    public void table(TextTable table) {
        int columns = width();
        println(table.render(columns));
        List<String> hidden = table.hiddenAt(columns);
        if (!hidden.isEmpty()) {
            info("(%s left out to fit %d columns: -o wide shows every column)".formatted(String.join(", ", hidden), columns));
        }
    }

    /** A message for the person at the terminal: progress, notices, hints; wrapped at spaces to the terminal's width. */
    public void info(String message) {
        err.println(wrapped(TerminalText.safe(message, ansi), "", ""));
        err.flush();
    }

    /** {@code label} and the message wrapped at spaces to the terminal's width, the lines after the first indented by {@code indent}. */
    private String wrapped(String message, String label, String indent) {
        int columns = width();
        if (columns <= 0 || message == null) {
            return label + message;
        }
        List<String> lines = message.lines().toList();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            out.add(TextTable.wrap(i == 0 ? label : indent, indent, lines.get(i), columns));
        }
        return out.isEmpty() ? label : String.join("\n", out);
    }

    /** A warning on stderr, wrapped at spaces to the terminal's width. */
    public void warn(String message) {
        err.println(wrapped(TerminalText.safe(message, ansi), style("warning: ", "33"), "  "));
        err.flush();
    }

    /** An error on stderr, wrapped at spaces to the terminal's width. */
    public void error(String message) {
        err.println(wrapped(TerminalText.safe(message, ansi), style("error: ", "31;1"), "  "));
        err.flush();
    }

    /** The value as the format asks: JSON (also for a plain {@code --json}), YAML, or the names of what it lists. */
    public void json(Object value) {
        switch (format) {
            case YAML -> out.print(Mappers.YAML.writeValueAsString(value).replaceFirst("^---\n", ""));
            case NAME -> names(Mappers.JSON.valueToTree(value)).forEach(name -> out.println(TerminalText.safe(name, false)));
            default -> out.println(Mappers.JSON.writeValueAsString(value));
        }
        out.flush();
    }

    /**
     * {@code -o name}: one line per listed item, as kubectl prints it. The items are the top-level list, or the first
     * list of the top-level object, or the object itself; an item's name is its agent, step, deployment, run or name
     * field (machine/name for an inventory entry).
     */
    static List<String> names(JsonNode root) {
        JsonNode items = root;
        if (root.isObject()) {
            items = null;
            for (var field : root.properties()) {
                if (field.getValue().isArray()) {
                    items = field.getValue();
                    break;
                }
            }
            if (items == null) {
                items = Mappers.JSON.createArrayNode().add(root);
            }
        }
        List<String> names = new ArrayList<>();
        for (JsonNode item : items) {
            if (!item.isObject()) {
                names.add(item.asString());
                continue;
            }
            if (item.hasNonNull("name") && item.hasNonNull("machine")) {
                names.add(item.get("machine").asString() + "/" + item.get("name").asString());
                continue;
            }
            for (String key : List.of("agent", "step", "deployment", "run", "id", "name", "target", "file")) {
                if (item.hasNonNull(key) && item.get(key).isValueNode()) {
                    names.add(item.get(key).asString());
                    break;
                }
            }
        }
        return names;
    }

    public String bold(String text) {
        return style(text, "1");
    }

    public String style(String text, String sgr) {
        return ansi ? "\u001b[" + sgr + "m" + text + "\u001b[0m" : text;
    }

    public void flush() {
        out.flush();
        err.flush();
    }
}
