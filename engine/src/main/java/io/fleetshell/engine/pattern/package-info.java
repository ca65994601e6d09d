/**
 * The optimization pattern framework both languages use: a {@link io.fleetshell.engine.pattern.Pattern} maps one
 * agent's source (with its analysis facts) to a {@link io.fleetshell.engine.pattern.Rewrite} and explains itself; a
 * {@link io.fleetshell.engine.pattern.ChangeSet} holds the rewrites of several files made as one unit (a shared module
 * and the helper module it imports, which it may create).
 * Patterns never read or write files; the rollout applies what they return.
 */
package io.fleetshell.engine.pattern;
