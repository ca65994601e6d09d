/**
 * Optimizing a module of the fleet's own code that several Python agents import (issue 14): the same patterns as an
 * agent's own file, told what the module's importers read through it, writing one shared lazy helper module instead of
 * inlining the loader, and proved on every dependent agent ({@link io.fleetshell.engine.python.shared.DependentsProof}).
 * The result is a {@link io.fleetshell.engine.pattern.ChangeSet}; nothing here writes a file.
 */
package io.fleetshell.engine.python.shared;
