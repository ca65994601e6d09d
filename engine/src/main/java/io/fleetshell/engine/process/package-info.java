/**
 * Child processes started by the engine, each in a process group of its own so that a timeout, an interrupt or
 * fleetshell's exit kills its whole tree. {@link io.fleetshell.engine.process.ProcessRun} describes a run (argument
 * list, directory, environment, stdin, timeout, output bounds, files it owns) and runs it to a
 * {@link io.fleetshell.engine.process.ProcessResult}, or starts it as a
 * {@link io.fleetshell.engine.process.StartedProcess} that the caller stops; a child whose work runs elsewhere (an ssh
 * client) is stopped through its stdin first ({@link io.fleetshell.engine.process.ProcessRun.Lifeline}). {@link io.fleetshell.engine.process.Leftovers}
 * records each child group and names temporary files after their owner, and sweeps what a killed fleetshell left,
 * here or, through a {@link io.fleetshell.engine.process.Leftovers.Place}, on a machine's host.
 */
package io.fleetshell.engine.process;
