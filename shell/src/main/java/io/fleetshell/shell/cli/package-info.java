/**
 * How a line or an argv becomes a command execution: tokenizing, the global options ({@code -o}, {@code --no-color},
 * {@code --debug}), parsing against the command registry, dispatching with one exit-status mapping, where output
 * goes and how it looks ({@code Output}), completion, help and the REPL and one-shot runners.
 */
package io.fleetshell.shell.cli;
