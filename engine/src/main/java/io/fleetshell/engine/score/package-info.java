/**
 * The optimization score: per agent, 0-10 from four measured factors (start-up impact, heavy
 * dependencies, memory, initialization complexity), the risk band, the patterns worth applying and
 * the gain they are predicted to bring, which is always a measured cost, never a percentage.
 */
package io.fleetshell.engine.score;
