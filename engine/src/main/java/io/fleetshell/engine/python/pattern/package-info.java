/**
 * The Python agents' patterns ({@link io.fleetshell.engine.python.pattern.PythonPatterns}: dead-import removal and
 * deferring heavy imports) and the line-based text edits they rewrite a source with. Like every pattern they map
 * source to source and never read or write files.
 */
package io.fleetshell.engine.python.pattern;
