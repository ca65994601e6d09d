/**
 * Statistics that decisions rest on: rank tests on raw samples and a sequential paired sign test whose number of pairs
 * the data choose, so that a noisy machine cannot turn one lucky run into a verdict. Nothing here knows about agents; callers keep the samples as evidence.
 */
package io.fleetshell.engine.stats;
