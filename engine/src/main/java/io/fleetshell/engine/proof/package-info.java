/**
 * Proofs that a rewrite keeps an agent's behaviour, whatever its language: an ordered list of checks run against the
 * agent's own runtime, each with the evidence it rests on. One failed check makes a rewrite not deployable; the
 * provers that run the checks live in each language's package. {@link io.fleetshell.engine.proof.EffectFloor} is the least
 * load-time gain a proof counts.
 */
package io.fleetshell.engine.proof;
