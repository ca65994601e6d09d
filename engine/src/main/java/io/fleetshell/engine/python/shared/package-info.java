/**
 * Optimizing a module of the fleet's own code that several Python agents import (issue 14): the same patterns as an
 * agent's own file, told what the module's importers read through it, writing one shared lazy helper module instead of
 * inlining the loader, and proved on every dependent agent ({@link io.fleetshell.engine.python.shared.DependentsProof}).
 * Several modules change as one joint change ({@link io.fleetshell.engine.python.shared.JointModuleOptimization}), proved
 * once over the union of their dependents, since a deferral in one gains nothing while a sibling still imports the same
 * module ({@link io.fleetshell.engine.python.shared.SiblingImports} finds that case for {@code score --modules}).
 * Everything runs on the dependents' machine (this computer or one reached over ssh, through its
 * {@link io.fleetshell.engine.python.proof.ProofSite}). The result is a {@link io.fleetshell.engine.pattern.ChangeSet};
 * nothing here writes a file of the fleet (the proof's copy of the fleet root is its own, removed after).
 */
package io.fleetshell.engine.python.shared;
