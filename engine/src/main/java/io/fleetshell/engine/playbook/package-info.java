/**
 * JavaScript playbooks: user-written rollout policies run in a GraalJS sandbox (no host classes, no
 * IO, no processes, no environment) with a statement limit, a wall-clock timeout and a heap budget.
 * A playbook reaches the fleet only through the {@code fleet} object, whose functions call the same
 * engines the shell's commands do, through {@link io.fleetshell.engine.playbook.FleetPort}; its rollout
 * policies plug into the rollout executor's batch loop as a {@link io.fleetshell.engine.rollout.BatchPolicy}.
 */
package io.fleetshell.engine.playbook;
