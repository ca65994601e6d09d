/**
 * Child processes run to their end: {@link io.fleetshell.engine.process.ProcessRun} says what to run (argument list,
 * directory, environment, stdin, timeout, output bounds, files the run owns) and runs it in a process group of its own,
 * killed whole on timeout or interrupt. The outcome is a {@link io.fleetshell.engine.process.ProcessResult}.
 */
package io.fleetshell.engine.process;
