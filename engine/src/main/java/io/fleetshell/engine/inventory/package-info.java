/**
 * The fleet inventory: agents read from real startup configs (both the {@code agent_groups:} and the
 * {@code *_services:} list formats), their resolved scripts, the containment rules that keep
 * every path inside its fleet root, this computer's per-machine overrides from settings.yaml
 * ({@code MachineOverride}), the transport of each machine ({@code Hosts}) and what a load of an agent runs with ({@code LoadEnvironment}).
 */
package io.fleetshell.engine.inventory;
