package io.fleetshell.engine.analysis;

/**
 * Why a file has no facts: it does not parse under the agent's interpreter, it cannot be read or
 * decoded, or the helper failed on it (a bug to report; the rest of the batch still has its facts).
 *
 * @param kind    what went wrong
 * @param line    1-based line, when known
 * @param column  for syntax errors the 1-based offset CPython reports in {@code SyntaxError.offset};
 *                for undecodable bytes the 0-based byte offset in the line; null when unknown
 * @param message CPython's message for syntax errors, otherwise one sentence naming the fix
 */
public record ParseError(Kind kind, Integer line, Integer column, String message) {

    /** The three ways a file can fail. */
    public enum Kind {
        SYNTAX, UNREADABLE, INTERNAL;

        /** The spelling in the helper's JSON, which the mapper reads enums by. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(kind.toString()).append(" error");
        if (line != null) {
            text.append(" at line ").append(line);
            if (column != null) {
                text.append(", column ").append(column);
            }
        }
        return text.append(": ").append(message).toString();
    }
}
