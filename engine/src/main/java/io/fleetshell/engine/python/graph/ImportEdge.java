package io.fleetshell.engine.python.graph;

import io.fleetshell.engine.python.analysis.ImportFact;

import java.nio.file.Path;

/**
 * One import statement of a Python file that loads a module of the fleet's own code: where it is and what it loads.
 * {@code import a.b} loads {@code a/__init__.py} and {@code a/b.py}: one edge to each.
 *
 * @param importer the importing file (an agent's script or another fleet module), absolute
 * @param target   the module it loads
 * @param fact     the import statement as the analysis helper reported it (line, kind, block it sits in)
 */
public record ImportEdge(Path importer, FleetModule target, ImportFact fact) {

    /** The 1-based line of the import statement in {@link #importer()}. */
    public int line() {
        return fact.span().line();
    }

    /** Whether the import runs while the importer's module body runs (not inside a function or class body). */
    public boolean atModuleLevel() {
        return fact.atModuleLevel();
    }

    /** {@code path:line}, the way errors and views point at the statement. */
    public String where() {
        return importer + ":" + line();
    }
}
