/**
 * Optimization patterns: each maps one agent's source (with its analysis facts) to a rewritten source
 * and explains itself. Patterns never read or write files; the rollout applies what they return.
 */
package io.fleetshell.engine.pattern;
