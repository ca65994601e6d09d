/**
 * The fleetshell application: a Spring Shell REPL and one-shot command runner over the engine.
 * This layer parses input, calls the engine and history-db, and formats output; it holds no fleet logic.
 */
package io.fleetshell.shell;
