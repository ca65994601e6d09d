/**
 * The Python agents' patterns ({@link io.fleetshell.engine.python.pattern.PythonPatterns}: dead-import removal,
 * deferring heavy imports, starting heavy initialization in a background thread and caching pure functions) and the
 * byte-exact text edits they rewrite a source with. Like every pattern they map source to source and never read or
 * write files; the Python helpers some of them inline into the agent (or, for a shared module, import from one helper
 * module) are resources under {@code io/fleetshell/python/}. What a shared module's importers read through it reaches
 * the patterns as options ({@link io.fleetshell.engine.python.pattern.ImporterReads}).
 */
package io.fleetshell.engine.python.pattern;
