/**
 * The shell's commands, one class per topic. Each parses its options, calls the engine and
 * history-db, and renders text or JSON; none holds fleet logic of its own.
 */
package io.fleetshell.shell.commands;
