/**
 * The fleetshell application: a Spring Shell REPL and one-shot command runner over the engine, and the
 * session that wires the engine to history-db's stores and the user's settings. This layer parses input,
 * calls the engine, and formats output; it holds no fleet logic.
 */
package io.fleetshell.shell;
