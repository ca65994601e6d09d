/**
 * One seam per language: {@link io.fleetshell.engine.optimize.AgentOptimizer}, with the Python
 * {@link io.fleetshell.engine.optimize.PythonOptimizer} and the {@link io.fleetshell.engine.optimize.JavaOptimizer}
 * (patterns, score, rewrite, proof, profile), and {@link io.fleetshell.engine.optimize.Optimizers}, the one
 * place that chooses by an agent's language. Nothing here writes an agent's file; an agent is read, profiled and proved
 * on its machine's host ({@code HostScripts} reads it there; a Java agent is compiled here).
 */
package io.fleetshell.engine.optimize;
