package io.fleetshell.engine.python.analysis;

import java.util.List;

/**
 * One name bound by one import statement, where the statement is and what surrounds it.
 * {@code import os, sys} gives two facts with the same span and {@code statementNames == 2}.
 *
 * @param kind           {@code import x} or {@code from x import y}
 * @param module         the dotted module; relative imports keep their dots ({@code ".."}, {@code ".pkg"})
 * @param name           the imported attribute of a from-import ({@code *} for a star import); null for {@code import a.b}
 * @param bound          the name bound in the namespace ({@code a} for {@code import a.b.c}); null for a star import
 * @param alias          the {@code as} name, or null
 * @param level          relative import level (0 for absolute)
 * @param span           the whole statement
 * @param statementNames how many names the statement binds: a rewrite of one of them must split it
 * @param context        the innermost function or class around the import; else the innermost module-level block; else MODULE
 * @param enclosing      every block around it, outermost first
 * @param tryHandlers    exception types of the innermost enclosing try ({@code BaseException} for a bare except), or null
 * @param tryPart        which part of that try it is in, or null
 * @param typeChecking   inside {@code if TYPE_CHECKING:} (never runs)
 * @param mainBlock      inside {@code if __name__ == "__main__":}
 * @param star           {@code from x import *}
 * @param future         {@code from __future__ import ...}
 * @param noqa           a noqa comment that silences unused-import warnings is on one of its lines
 * @param sideEffect     the module (or, for a from-import, the module or {@code module.name}) is a side-effect module
 * @param ownEffect      the module is of the fleet's own code and loading it does more than define names: the first
 *                       such thing, or null (not own code, or definitions only)
 */
public record ImportFact(
        Kind kind,
        String module,
        String name,
        String bound,
        String alias,
        int level,
        Span span,
        int statementNames,
        Context context,
        List<Context> enclosing,
        List<String> tryHandlers,
        TryPart tryPart,
        boolean typeChecking,
        boolean mainBlock,
        boolean star,
        boolean future,
        boolean noqa,
        boolean sideEffect,
        OwnEffect ownEffect) {

    public ImportFact {
        enclosing = enclosing == null ? List.of() : List.copyOf(enclosing);
        tryHandlers = tryHandlers == null ? null : List.copyOf(tryHandlers);
    }

    /** {@code import x} or {@code from x import y}. */
    public enum Kind {
        IMPORT, FROM;

        /** The spelling in the helper's JSON, which the mapper reads enums by. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The block an import statement sits in. */
    public enum Context {
        MODULE, TRY, FUNCTION, CLASS, IF, WITH, LOOP;

        /** The spelling in the helper's JSON, which the mapper reads enums by. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The part of a try statement. */
    public enum TryPart {
        BODY, HANDLER, ELSE, FINALLY;

        /** The spelling in the helper's JSON, which the mapper reads enums by. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Where a statement is: 1-based lines, 0-based columns in UTF-8 bytes, end exclusive, as in Python's {@code ast}.
     */
    public record Span(int line, int column, int endLine, int endColumn) {
    }

    /**
     * What loading a module of the fleet's own code does besides defining names (issue 17): the first statement found,
     * in that module or in an own module it imports.
     *
     * @param module the imported module it was found through
     * @param file   the file holding the statement
     * @param line   its 1-based line
     * @param what   what it does, e.g. "the decorator `@register(...)` on line 3 runs at import"
     */
    public record OwnEffect(String module, String file, int line, String what) {
    }

    /** Whether the import binds a module global (not inside a function or class body). */
    public boolean atModuleLevel() {
        return context != Context.FUNCTION && context != Context.CLASS;
    }

    /** The import as one would write it for this name alone, e.g. {@code from scipy import signal as sg}. */
    public String text() {
        String as = alias == null ? "" : " as " + alias;
        return kind == Kind.IMPORT ? "import " + module + as : "from " + module + " import " + name + as;
    }
}
