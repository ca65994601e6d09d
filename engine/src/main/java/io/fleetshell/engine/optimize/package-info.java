/**
 * One seam per language: {@link io.fleetshell.engine.optimize.AgentOptimizer}, with the Python
 * {@link io.fleetshell.engine.optimize.PythonOptimizer} and the {@link io.fleetshell.engine.optimize.JavaOptimizer}
 * (patterns, score, rewrite, proof, profile), and {@link io.fleetshell.engine.optimize.Optimizers}, the one
 * place that chooses by an agent's language. Nothing here writes an agent's file; a Python agent is read, analysed
 * and proved on its machine's host.
 */
package io.fleetshell.engine.optimize;
