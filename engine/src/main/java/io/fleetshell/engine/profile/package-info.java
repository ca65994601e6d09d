/**
 * Measured profiling: an agent's module load time, its imports' self and cumulative time from
 * {@code -X importtime}, peak RSS and modules loaded, each sample from a fresh process of the agent's
 * own interpreter. Failures to load are samples too, never averaged in.
 */
package io.fleetshell.engine.profile;
