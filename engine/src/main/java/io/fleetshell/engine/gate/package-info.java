/**
 * Gates: decisions on whether an agent is still as good as its baseline after a change, taken by a
 * statistical test on raw samples. Thin data holds; it never passes or fails.
 */
package io.fleetshell.engine.gate;
