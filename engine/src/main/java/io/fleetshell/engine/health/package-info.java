/**
 * The fleet's health report: eight categories of checks, each passing or failing on measurements taken or
 * stored (probes, scrapes, starts, gate decisions) and naming them, with a recommendation, a score per
 * category, an overall score and the critical issues. Also the fleet's load health after a profile
 * ({@code LoadFailures}: failures grouped by cause with the fix) and whether the machine was busy while profiling
 * ({@code BusyMachine}).
 */
package io.fleetshell.engine.health;
