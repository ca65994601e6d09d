/**
 * The fleet at run time: agents fleetshell starts and stops itself (pid files, logs, time-to-healthy), on this
 * computer or on a remote machine's host through its transport, how each agent's ports are reached from here,
 * agents restarted through their configured {@code restart_command}, the reading of their logs, the health probe
 * that says when an agent answers, and the bounded synthetic requests an analysis sends to an agent. Results are
 * values that serialize as {@code --json} prints them; what is stored goes through
 * {@link io.fleetshell.engine.runtime.RuntimeHistory}.
 */
package io.fleetshell.engine.runtime;
