/**
 * Gates: decisions on whether an agent is still as good as its baseline after a change, taken by a
 * statistical test on raw samples; thin data holds, it never passes or fails. {@link io.fleetshell.engine.gate.Analysis}
 * is the seam of a rollout's analysis run, which gathers the samples its gates need before and after a change.
 */
package io.fleetshell.engine.gate;
