package io.fleetshell.engine.python.analysis;

import java.util.List;

/**
 * What the facts helper found for the patterns that act on work rather than imports: module-level
 * statements doing heavy work at load ({@code async_initialization}), the calls of imported functions the
 * {@code __main__} block makes (where a readiness hook may be passed) and every module-level function and
 * method with whether it is pure enough to cache ({@code cache_optimization}). The helper is conservative:
 * whatever it cannot follow is a refusal with a sentence saying why.
 *
 * @param startup   module-level statements whose value runs a heavy call (directly or through the file's functions)
 * @param hooks     calls of imported functions made by the {@code __main__} block or the functions it calls
 * @param functions module-level functions and methods, each cacheable or refused with the reason
 */
public record WorkFacts(List<StartupWork> startup, List<HookCall> hooks, List<FunctionFact> functions) {

    public static final WorkFacts NONE = new WorkFacts(List.of(), List.of(), List.of());

    public WorkFacts {
        startup = startup == null ? List.of() : List.copyOf(startup);
        hooks = hooks == null ? List.of() : List.copyOf(hooks);
        functions = functions == null ? List.of() : List.copyOf(functions);
    }

    /** A 1-based line and 0-based UTF-8 byte column. */
    public record Position(int line, int column) {
    }

    /**
     * A module-level statement that does heavy work while the module loads.
     *
     * @param line     its first line
     * @param endLine  its last line
     * @param column   its column (0 when it starts its line)
     * @param value    the assigned expression (or the expression of an expression statement)
     * @param heavy    the heavy calls it makes, e.g. {@code pickle.load (line 14)}
     * @param name     the one plain name it assigns, or null
     * @param reads    where functions read that name (the reads a rewrite routes through the holder), in source order
     * @param refused  why it must stay where it is, or null when it can move to a background thread
     */
    public record StartupWork(int line, int endLine, int column, ImportFact.Span value, List<String> heavy, String name,
                              List<ImportFact.Span> reads, String refused) {
        public StartupWork {
            heavy = heavy == null ? List.of() : List.copyOf(heavy);
            reads = reads == null ? List.of() : List.copyOf(reads);
        }
    }

    /**
     * A call of an imported function by the {@code __main__} block.
     *
     * @param resolved the callee through the file's imports, e.g. {@code common.demo_runtime.serve}
     * @param line     the call's first line
     * @param after    the end of its last argument (where {@code , ready=...} goes), or null when it has none
     * @param end      the end of the call (just past its closing parenthesis)
     * @param keywords the keyword arguments it passes already
     */
    public record HookCall(String resolved, int line, Position after, Position end, List<String> keywords) {
        public HookCall {
            keywords = keywords == null ? List.of() : List.copyOf(keywords);
        }
    }

    /**
     * A module-level function ({@code name}) or a method ({@code Class.name}).
     *
     * @param name    its name
     * @param line    the line of its {@code def}
     * @param endLine its last line
     * @param params  its positional parameters
     * @param refused why it is not cached, or null when it is pure enough
     */
    public record FunctionFact(String name, int line, int endLine, List<String> params, String refused) {
        public FunctionFact {
            params = params == null ? List.of() : List.copyOf(params);
        }

        public boolean cacheable() {
            return refused == null;
        }
    }
}
