package io.fleetshell.engine.python.analysis;

/**
 * A module-level change of the import path ({@code sys.path.insert/append/extend}, an assignment to
 * {@code sys.path}, {@code site.addsitedir}). Imports after it must stay eager (LAZY_IMPORTS.md rule 5):
 * deferred, they would be resolved against whatever the path is at first use.
 *
 * @param line   1-based line
 * @param column 0-based column
 * @param change the call or statement, e.g. {@code sys.path.insert}
 * @param phase  {@link Use.Phase#IMPORT_TIME} or {@link Use.Phase#MAIN}
 */
public record SysPathChange(int line, int column, String change, Use.Phase phase) {
}
