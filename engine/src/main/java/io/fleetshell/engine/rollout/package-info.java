/**
 * Batch rollouts: the {@link io.fleetshell.engine.rollout.Planner} resolves a request into an immutable
 * {@link io.fleetshell.engine.rollout.Plan} of steps (agent, pattern, checksum of the file it expects, the
 * rewrite, its proof hints, the real path it was planned at; a shared module's step holds several files, each a
 * {@link io.fleetshell.engine.rollout.StepFile}, handled as one unit), then the {@link io.fleetshell.engine.rollout.RolloutExecutor} executes it batch by
 * batch (each batch sized as it starts by a {@link io.fleetshell.engine.rollout.BatchPolicy}) with containment checks, backups, atomic
 * writes, proofs, restarts, gates and each batch's analysis run, every action journaled so it can be explained, rolled back and recovered
 * after a crash. Storage is behind {@link io.fleetshell.engine.rollout.DeploymentJournal}.
 */
package io.fleetshell.engine.rollout;
