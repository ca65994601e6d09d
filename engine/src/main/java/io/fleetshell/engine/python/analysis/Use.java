package io.fleetshell.engine.python.analysis;

/**
 * One place a name bound by a module-level import is read, and when that code runs.
 *
 * @param line   1-based line
 * @param column 0-based column in UTF-8 bytes, as Python's {@code ast} reports it
 * @param phase  when the use is evaluated (LAZY_IMPORTS.md rule 1)
 * @param via    why it has that phase, e.g. {@code "decorator"} or
 *               {@code "called at module level via setup() -> helper()"}
 */
public record Use(int line, int column, Phase phase, String via) {

    /** When a use is evaluated, relative to the module body running. */
    public enum Phase {
        /** While the module body runs: the import cannot be deferred without losing the gain or raising NameError. */
        IMPORT_TIME,
        /** Only when a function runs later. */
        DEFERRED,
        /** In the {@code if __name__ == "__main__":} block or code it calls: start-up work when run as a script. */
        MAIN,
        /** Inside a string annotation: evaluated only by {@code typing.get_type_hints} and the like. */
        ANNOTATION_STRING,
        /** An annotation the interpreter does not evaluate at def time ({@code from __future__ import annotations}, 3.14+, locals). */
        ANNOTATION_DEFERRED,
        /** Listed in {@code __all__}. */
        EXPORT,
        /** Inside the module-level {@code __getattr__}. */
        GETATTR;

        /** The spelling in the helper's JSON, which the mapper reads enums by. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Whether the use makes the import "used" for dead-import removal (the other phases only keep it, with a reason). */
        public boolean isRealUse() {
            return this == IMPORT_TIME || this == DEFERRED || this == MAIN || this == ANNOTATION_DEFERRED;
        }
    }
}
