package io.fleetshell.engine.runtime;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.host.SshHost;
import io.fleetshell.engine.host.Tunnels;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.metrics.ScrapeTarget;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;

/**
 * How this computer reaches an agent's ports, wherever the agent runs: the health probe, the metrics scrape and the
 * analysis run's requests all connect where this says. An agent on this computer is reached at its configured host
 * (the loopback address for none or a wildcard). An agent on a remote machine is reached at its configured host, a
 * loopback or wildcard one meaning the remote host itself (by the name ssh connects to), or, when the machine says
 * {@code tunnel: true}, through a port forwarded over the host's shared ssh connection ({@link Tunnels}).
 */
public final class Reach {

    private final Hosts hosts;

    public Reach(FleetHome home) {
        this.hosts = Hosts.local(home);
    }

    /** How the agent's health is checked, connecting where the agent can be reached; empty when it has no port to check. */
    public Optional<ProbeTarget> health(Agent agent, Machine machine) {
        return ProbeTarget.of(agent, machine).map(t -> via(t, machine));
    }

    /** The agent's {@code /metrics}, at the address where it can be reached; empty without a health-check port. */
    public Optional<ScrapeTarget> metrics(Agent agent, Machine machine) {
        return ScrapeTarget.of(agent).map(t -> {
            InetSocketAddress to = address(machine, t.uri().getHost(), t.uri().getPort());
            String host = to.getHostString().contains(":") ? "[" + to.getHostString() + "]" : to.getHostString();
            return new ScrapeTarget(t.agent(), URI.create("http://%s:%d%s".formatted(host, to.getPort(), t.uri().getRawPath())));
        });
    }

    /** Where the analysis run's requests to the agent go, at the address where it can be reached. */
    public Optional<ProbeTarget> traffic(SyntheticTraffic traffic, Agent agent, Machine machine) {
        return traffic.target(agent).map(t -> via(t, machine));
    }

    /** The target with the address it connects to replaced by the one where the agent can be reached. */
    public ProbeTarget via(ProbeTarget target, Machine machine) {
        InetSocketAddress to = address(machine, target.host(), target.port());
        return new ProbeTarget(target.agent(), target.kind(), to.getHostString(), to.getPort(), target.path(), target.timeout());
    }

    private InetSocketAddress address(Machine machine, String host, int port) {
        if (machine == null) {
            return InetSocketAddress.createUnresolved(host, port);
        }
        return address(hosts.of(machine), host, port);
    }

    /**
     * Where this computer connects to reach {@code port} of {@code address} as {@code host} sees it (a proof's agent
     * run on the agent's machine listens on its loopback address): the address itself on this computer, else as
     * {@link Tunnels#reach} says for the machine.
     */
    public static InetSocketAddress address(Host host, String address, int port) {
        return switch (host) {
            case LocalHost l -> InetSocketAddress.createUnresolved(address, port);
            case SshHost ssh -> {
                try {
                    yield Tunnels.reach(ssh, address, port);
                } catch (IOException e) {
                    throw new FleetshellException(ErrorCode.OPERATION_FAILED, e.getMessage(), e);
                }
            }
        };
    }
}
