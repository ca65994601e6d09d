package io.fleetshell.shell.cli;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;

/**
 * Where a command writes: data to {@code out} (stdout in one-shot mode), messages to {@code err}
 * (stderr). In the REPL both are the terminal. JSON goes to {@code out} and nothing else does when
 * a command runs with {@code --json}. Result records serialize with snake_case field names
 * ({@code timeToHealthyMs} prints as {@code time_to_healthy_ms}), the names the JSON output has always used.
 */
public final class Output {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean ansi;

    public Output(PrintWriter out, PrintWriter err, boolean ansi) {
        this.out = out;
        this.err = err;
        this.ansi = ansi;
    }

    public PrintWriter out() {
        return out;
    }

    /** A line of data. */
    public void println(String line) {
        out.println(line);
        out.flush();
    }

    /** A message for the person at the terminal: progress, notices, hints. */
    public void info(String message) {
        err.println(message);
        err.flush();
    }

    public void warn(String message) {
        err.println(style("warning: ", "33") + message);
        err.flush();
    }

    public void error(String message) {
        err.println(style("error: ", "31;1") + message);
        err.flush();
    }

    public void json(Object value) {
        out.println(JSON.writeValueAsString(value));
        out.flush();
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
