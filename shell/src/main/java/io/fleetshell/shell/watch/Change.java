package io.fleetshell.shell.watch;

/**
 * The change of an agent's p95 latency against its runtime baseline.
 *
 * @param percent  (baseline - now) / baseline in percent: positive is faster
 * @param verdict  where it stands against the thresholds (a change that is not statistically significant is
 *                 {@link Thresholds.Verdict#WITHIN} whatever its size)
 * @param basis    what was compared, for the user (e.g. "baseline v2, 30 vs 28 intervals, Mann-Whitney p=0.004")
 */
public record Change(double percent, Thresholds.Verdict verdict, String basis) {
}
