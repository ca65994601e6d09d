/**
 * The fleet inventory: agents read from real startup configs (both the {@code agent_groups:} and the
 * {@code *_services:} list formats), their resolved scripts, and the containment rules that keep
 * every path inside its fleet root.
 */
package io.fleetshell.engine.inventory;
