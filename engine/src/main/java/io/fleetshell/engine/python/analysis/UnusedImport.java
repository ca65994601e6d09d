package io.fleetshell.engine.python.analysis;

/**
 * A name bound by a module-level import that no code reads. When something still needs the import
 * (an export, a noqa marker, a side-effect module ...) {@code kept} says what; otherwise it is removable.
 *
 * @param bound the name the import binds
 * @param line  1-based line of the import statement
 * @param kept  why it must stay although unused, or null when it can be removed
 */
public record UnusedImport(String bound, int line, Kept kept) {

    /** Reasons an import nobody reads is still kept. */
    public enum Kept {
        EXPORTED, STRING_ANNOTATION, GETATTR, NOQA, SIDE_EFFECT;

        /** The spelling in the helper's JSON, which the mapper reads enums by. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean removable() {
        return kept == null;
    }
}
