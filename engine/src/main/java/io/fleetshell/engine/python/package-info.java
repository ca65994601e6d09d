/**
 * Python agents: the {@link io.fleetshell.engine.python.Profiler} that loads an agent in fresh processes of its own
 * interpreter under {@code -X importtime}, the {@link io.fleetshell.engine.python.Prover} that checks a rewrite keeps
 * its behaviour and brings its gain, and the {@link io.fleetshell.engine.python.PythonScorer}; their facts live in
 * {@code python.analysis}, their patterns in {@code python.pattern}, the checks that run the agent in
 * {@code python.proof} and the fleet-wide import graph of the fleet's own modules in {@code python.graph}. Nothing here changes an agent's file: the prover loads a rewrite from a hidden sibling of it
 * that it removes again. Loading an agent runs its module-level code; the probes show it what {@code python SCRIPT}
 * minus its {@code __main__} block would, and import their own modules from the interpreter's library only. Every
 * load, proof and probe starts the interpreter {@link io.fleetshell.engine.python.Interpreters} resolved, never a shim
 * by name (the one process that starts the configured name, from the fleet root as the agents start, is the first
 * analysis of a command, which reports what it resolved to), and runs on the agent's machine
 * ({@link io.fleetshell.engine.host.Host}), the probes passed with {@code -c}; a sequence of loads (a proof's pairs) is
 * started there by one {@link io.fleetshell.engine.python.LoadRunner} process.
 */
package io.fleetshell.engine.python;
