/**
 * What a measured profile of an agent holds, whatever its language: load samples, each from a fresh process of the
 * agent's own runtime (load time, peak RSS, modules loaded, each import's and statement's cost), their medians and
 * the import tree. Failures to load are samples too, never averaged in; the profilers live in each language's package.
 */
package io.fleetshell.engine.profile;
