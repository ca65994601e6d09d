/**
 * Proofs that a rewrite keeps an agent's behaviour: an ordered list of checks run against the agent's
 * own interpreter, each with the evidence it rests on. One failed check makes a rewrite not deployable.
 */
package io.fleetshell.engine.proof;
