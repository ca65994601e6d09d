package io.fleetshell.engine.inventory;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.host.SshHost;

import io.fleetshell.engine.host.SshAccess;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Host} of each machine: this computer unless the machine has {@code ssh:} settings (its stored
 * {@link Machine#ssh()}, from settings.yaml or the config's {@code global_settings}), then an {@link SshHost} sharing
 * one connection per destination. One instance per shell session; it holds no connection itself (the ssh client's
 * multiplexing socket under FLEETSHELL_HOME does), so it is cheap and safe to share between threads.
 */
public final class Hosts {

    private final FleetHome home;
    private final Map<String, MachineOverride> configured;
    private final Map<String, Host> byMachine = new ConcurrentHashMap<>();

    /**
     * @param configured settings.yaml's {@code machines:}, for a machine named before any of its configs is loaded
     *                   ({@code inventory load pc2:/srv/fleet/config.yaml})
     */
    public Hosts(FleetHome home, Map<String, MachineOverride> configured) {
        this.home = Objects.requireNonNull(home);
        this.configured = Map.copyOf(configured);
    }

    /** Every machine is this computer. */
    public static Hosts local(FleetHome home) {
        return new Hosts(home, Map.of());
    }

    /** The host of a loaded machine. */
    public Host of(Machine machine) {
        return of(machine.name(), machine.ssh(), machine.python());
    }

    /** The host of machine {@code name} reached by {@code ssh} (null: this computer), whose interpreter is {@code python}. */
    public Host of(String name, SshAccess ssh, String python) {
        if (ssh == null) {
            return new LocalHost(name, home.root());
        }
        return byMachine.compute(name, (key, known) -> known instanceof SshHost host && host.access().equals(ssh)
                && host.python().equals(python) ? known : new SshHost(key, ssh, python, home.sshSockets()));
    }

    /**
     * The host settings.yaml gives a machine name, before a config of it is loaded; empty when settings.yaml gives it
     * no {@code ssh:} (it is then this computer, or unknown).
     */
    public Optional<Host> configured(String machine) {
        MachineOverride override = configured.get(machine);
        if (override == null || override.ssh() == null) {
            return Optional.empty();
        }
        SshAccess access = override.ssh();
        String python = override.python() != null ? override.python() : Machine.DEFAULT_PYTHON;
        return Optional.of(byMachine.computeIfAbsent(machine, name -> new SshHost(name, access, python, home.sshSockets())));
    }

    /** This computer. */
    public Host local() {
        return new LocalHost("local", home.root());
    }
}
