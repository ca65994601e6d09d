/**
 * The history database: one SQLite file per fleetshell home holding the loaded inventory, the exact
 * text of every startup config it came from, and an append-only log of every command run.
 * {@link io.fleetshell.history.HistoryDatabase} owns the file and its Flyway migrations; the DAOs
 * {@link io.fleetshell.history.InventoryStore} and {@link io.fleetshell.history.EventLog} keep their SQL
 * next to them.
 */
package io.fleetshell.history;
