/**
 * Static facts about Python agent sources, gathered by one Python process per batch, and the decisions made
 * on them: which module-level imports can be deferred (LAZY_IMPORTS.md) and which are unused.
 * The Python helper only reports what it sees; every rule that turns facts into a verdict lives here in Java.
 */
package io.fleetshell.engine.python.analysis;
