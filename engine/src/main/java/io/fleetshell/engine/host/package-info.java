/**
 * The machines of a fleet as transports: {@link io.fleetshell.engine.host.Host} runs processes and reads and writes
 * files on one machine, {@link io.fleetshell.engine.host.LocalHost} on this computer and
 * {@link io.fleetshell.engine.host.SshHost} on a remote one through the system's OpenSSH client (one multiplexed
 * connection per host), and how a remote machine is reached ({@code SshAccess}, read by {@code SshSettings});
 * {@link io.fleetshell.engine.inventory.Hosts} gives each machine its Host; {@link io.fleetshell.engine.host.Tunnels} says
 * where this computer connects to reach a port on a remote host (the host, or a port forwarded over its connection,
 * cancelled when the {@code Tunnels.Scope} of the proof or analysis that opened it closes).
 */
package io.fleetshell.engine.host;
