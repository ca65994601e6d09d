package io.fleetshell.engine.java;

import java.util.List;

/**
 * Heavy work done while a class initializes or an instance is built: a static initializer block, or
 * a static or instance field whose initializer calls something on the heavy list.
 *
 * @param kind      what holds the work
 * @param owner     the declaring type's name as written, nested types joined with dots (e.g. {@code Agent.Cache})
 * @param field     the field's name, or null for a static block
 * @param type      the field's declared type as written, or null for a static block
 * @param line      1-based line of the declaration
 * @param column    1-based column of the declaration
 * @param calls     the heavy calls it makes, directly or through methods of the same file
 * @param uses      every read of the field in the file, with the phase it runs in (empty for a block)
 * @param blockers  why a pattern cannot defer it, one full sentence each; empty when it can
 */
public record HeavyInitializer(Kind kind, String owner, String field, String type, int line, int column,
                               List<HeavyCall> calls, List<FieldUse> uses, List<String> blockers) {

    public HeavyInitializer {
        // named calls first: "calls Pattern.compile" says more than "runs a loop" around it
        calls = calls.stream().sorted(java.util.Comparator.comparing(HeavyCall::isLoop)).toList();
        uses = List.copyOf(uses);
        blockers = List.copyOf(blockers);
    }

    /** Where the work is declared. */
    public enum Kind {
        STATIC_FIELD, INSTANCE_FIELD, STATIC_BLOCK;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    public boolean deferrable() {
        return blockers.isEmpty();
    }

    /** {@code Agent.TABLE} or {@code static block of Agent}. */
    public String label() {
        return field == null ? "static block of " + owner : owner + "." + field;
    }

    /**
     * One heavy call.
     *
     * @param line     1-based line
     * @param column   1-based column
     * @param callee   as written, e.g. {@code Pattern.compile} or {@code new ObjectMapper}
     * @param via      the chain of same-file methods it runs through, e.g. {@code buildTable()}, or null when direct
     */
    public record HeavyCall(int line, int column, String callee, String via) {

        /** The callee a loop is recorded under: a loop in a method run at class initialization. */
        public static final String LOOP = "a loop";

        public boolean isLoop() {
            return LOOP.equals(callee);
        }

        /** {@code calls Pattern.compile (line 12, through build())} or {@code runs a loop (line 14, ...)}. */
        public String describe() {
            return (isLoop() ? "runs " : "calls ") + this;
        }

        @Override
        public String toString() {
            return callee + " (line " + line + (via == null ? "" : ", through " + via) + ")";
        }
    }

    /**
     * A read of the field.
     *
     * @param line   1-based line
     * @param column 1-based column
     * @param phase  when it runs
     * @param in     the member it is in, e.g. {@code main}, {@code handleRun}, {@code static initializer}
     */
    public record FieldUse(int line, int column, Phase phase, String in) {
    }

    /** When code runs, earliest first. */
    public enum Phase {
        /** While the class initializes: a static initializer or a static field initializer, or what they call. */
        CLASS_INIT,
        /** While an instance is built: field initializers, instance initializers, constructors and what they call. */
        CONSTRUCTION,
        /** On the way to healthy: {@code main} and what it calls (not the lambdas and handlers it registers). */
        START_UP,
        /** Later: request handlers, lambdas, methods no start-up path calls. */
        RUNTIME;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }
}
