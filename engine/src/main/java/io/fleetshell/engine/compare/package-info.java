/**
 * Baseline comparison: an agent's runtime samples since a change against its baseline window, decided by a
 * test on the raw samples with configurable thresholds and tolerances. The gates and the rollout's analysis run
 * ({@code AnalysisRun}, set by {@code analysis:} settings) live here; each decision carries its evidence (sample
 * ids, values, statistic, threshold) and is stored for {@code explain}.
 */
package io.fleetshell.engine.compare;
