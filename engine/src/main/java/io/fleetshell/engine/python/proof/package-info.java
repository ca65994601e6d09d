/**
 * The checks of a Python rewrite that need the agent running: {@link io.fleetshell.engine.python.proof.AgentRuns}
 * starts the original and the rewrite as real processes on free ports and replays requests over HTTP, and the
 * pattern-specific proofs ({@code async_initialization}: time-to-healthy and time-to-ready, same answers, no early
 * answer; {@code cache_optimization}: call counts and same answers) decide on what it measured. Everything runs on the
 * agent's machine, a {@link io.fleetshell.engine.python.proof.ProofSite}: the agent started there, its ports reached
 * from here as health probes reach them, the files a proof makes there named after their owner.
 */
package io.fleetshell.engine.python.proof;
