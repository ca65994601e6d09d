/**
 * The shell's commands, one class per topic. Each parses its options, calls the engine and
 * history-db, and renders text, or JSON from result records through Jackson (the engine's own, or a small
 * record next to the command for what it adds); none holds fleet logic of its own.
 */
package io.fleetshell.shell.commands;
