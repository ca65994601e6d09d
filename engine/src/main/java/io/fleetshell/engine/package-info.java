/**
 * The fleetshell engine: inventory, analysis, patterns, rollout, metrics and health.
 * It knows nothing of Spring, the terminal or SQL; the shell and history-db modules call into it.
 */
package io.fleetshell.engine;
