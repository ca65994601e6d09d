/**
 * The optimization score, whatever the agent's language: per agent, 0-10 from four measured factors (start-up
 * impact, heavy dependencies, memory, initialization complexity) on one {@link io.fleetshell.engine.score.ScoreScale},
 * the band of potential, the risk (what could break, counted apart from the score), the patterns worth
 * applying and the gain they are predicted to bring, which is always a measured cost, never a percentage. The scorers that compute it live in each language's package.
 */
package io.fleetshell.engine.score;
