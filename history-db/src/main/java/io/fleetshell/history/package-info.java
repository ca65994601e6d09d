/**
 * The history database: one SQLite file per fleetshell home holding the inventory and the exact text of every
 * startup config it came from, profile and runtime baselines, agent starts and probes, metric scrapes, deployments
 * with their steps, backups, journal and decisions, playbook runs, and an append-only log of every command run.
 * {@link io.fleetshell.history.HistoryDatabase} owns the file and its Flyway migrations; each store keeps its SQL
 * next to it, and the stores the engine writes through implement its ports
 * ({@link io.fleetshell.history.DeploymentStore} the {@code DeploymentJournal}, {@link io.fleetshell.history.RuntimeStore}
 * the {@code RuntimeHistory}).
 */
package io.fleetshell.history;
