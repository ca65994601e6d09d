package io.fleetshell.engine.python.analysis;

/**
 * A call that does heavy work (loads a model, reads a file, opens a connection, starts a process,
 * sleeps) while the module body or the {@code __main__} block runs.
 *
 * @param line     1-based line of the call
 * @param column   0-based column (UTF-8 bytes)
 * @param callee   the callee as written, e.g. {@code np.load} or {@code open(...).read}
 * @param resolved the callee with its first name resolved through the file's imports, e.g. {@code numpy.load}
 * @param category the kind of work
 * @param phase    {@link Use.Phase#IMPORT_TIME} or {@link Use.Phase#MAIN}
 * @param via      why it runs then, as for {@link Use#via()}
 */
public record HeavyCall(int line, int column, String callee, String resolved, Category category, Use.Phase phase, String via) {

    /** Kinds of heavy work. */
    public enum Category {
        MODEL_LOAD, FILE_READ, NETWORK, PROCESS, SLEEP;

        /** The spelling in the helper's JSON, which the mapper reads enums by. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
