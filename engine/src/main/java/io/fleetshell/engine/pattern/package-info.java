/**
 * The optimization pattern framework both languages use: a {@link io.fleetshell.engine.pattern.Pattern} maps one
 * agent's source (with its analysis facts) to a {@link io.fleetshell.engine.pattern.Rewrite} and explains itself.
 * Patterns never read or write files; the rollout applies what they return.
 */
package io.fleetshell.engine.pattern;
