/**
 * The user's settings from {@code FLEETSHELL_HOME/settings.yaml}, read into one record. It sits in its own
 * package because it gathers settings of several packages (analysis, comparisons, inventory) that all use the root's errors.
 */
package io.fleetshell.engine.settings;
