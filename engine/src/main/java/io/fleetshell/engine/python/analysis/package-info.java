/**
 * Static facts about Python agent sources, gathered by one Python process per batch on the files' machine (its
 * {@link io.fleetshell.engine.host.Host}; the helper travels on stdin, nothing is left there), and the decisions made
 * on them: which module-level imports can be deferred (LAZY_IMPORTS.md) and which are unused.
 * For imports the Python helper only reports what it sees and every rule that turns facts into a verdict lives here
 * in Java; the facts of work ({@link io.fleetshell.engine.python.analysis.WorkFacts}: heavy start-up statements, pure
 * functions) carry the helper's own refusals, with their reasons, since deciding them needs the syntax tree.
 */
package io.fleetshell.engine.python.analysis;
