package io.fleetshell.engine.metrics;

/**
 * A {@code /metrics} answer that is not valid in its format, with the 1-based line and column where reading
 * stopped. The scraper turns it into that target's error; it never stops the others.
 */
public final class MalformedExpositionException extends RuntimeException {

    private final int line;
    private final int column;
    private final String reason;

    public MalformedExpositionException(int line, int column, String reason) {
        super("line %d, column %d: %s".formatted(line, column, reason));
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String reason() {
        return reason;
    }
}
