/**
 * The fleet's health report: eight categories of checks, each passing or failing on measurements taken or
 * stored (probes, scrapes, starts, gate decisions) and naming them, with a recommendation, a score per
 * category, an overall score and the critical issues.
 */
package io.fleetshell.engine.health;
