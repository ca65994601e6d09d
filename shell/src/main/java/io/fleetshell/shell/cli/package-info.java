/**
 * How a line or an argv becomes a command execution: tokenizing, parsing against the command
 * registry, dispatching with one exit-status mapping, completion, help and the REPL and one-shot runners.
 */
package io.fleetshell.shell.cli;
