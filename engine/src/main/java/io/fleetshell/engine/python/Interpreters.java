package io.fleetshell.engine.python;

import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The interpreter a machine's {@code python} resolves to, asked once: its {@code sys.executable} when started from the
 * fleet root with the machine's environment, the way every load starts it (so pyenv's {@code .python-version} and
 * {@code PYENV_VERSION} choose the same version). Every load, proof and profile probe then starts that file instead of
 * the name: on machines with pyenv, {@code python3} is a bash shim that runs a dozen processes (0.1-0.5 s) before
 * Python starts, which was more than half the wall time of a proof (issue 19). The question is asked on the machine's
 * {@link Host} (this computer or over ssh), and the answer is checked there: an executable file on that host. One
 * instance lives as long as one command, so a changed {@code .python-version} applies to the next command.
 */
public final class Interpreters {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Prints the executable only when it is an absolute path to a file this user may run, on the host that runs it. */
    private static final String ASK = "import os, sys; e = sys.executable or ''; "
            + "print(e if os.path.isabs(e) and os.path.isfile(e) and os.access(e, os.X_OK) else '')";

    private final Map<List<Object>, String> resolved = new ConcurrentHashMap<>();

    /** {@link #of(Host, Machine)} on this computer. */
    public String of(Machine machine) {
        if (machine == null) {
            return Machine.DEFAULT_PYTHON;
        }
        return of(new LocalHost(machine.name(), machine.fleetRoot()), machine);
    }

    /**
     * The absolute path, on {@code host}, of the machine's interpreter, or its configured {@code python} unchanged when
     * that cannot be resolved (it does not start there, or reports no executable): the loads and the analysis then fail
     * with their own message naming the machine and the setting to fix, or run, exactly as before.
     */
    public String of(Host host, Machine machine) {
        if (machine == null) {
            return Machine.DEFAULT_PYTHON;
        }
        List<Object> key = key(host, machine);
        String known = resolved.get(key);
        if (known != null) {
            return known;
        }
        try {
            String executable = resolve(host, machine);
            resolved.put(key, executable);
            return executable;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // what runs next sees it and stops; nothing is remembered
            return machine.python();
        }
    }

    /**
     * Remembers what the machine's interpreter resolved to on {@code host}, as a process started the way
     * {@link #of(Host, Machine)} starts its question reported it ({@code sys.executable}): the analysis that started the
     * configured name from the fleet root answers this too, and {@link #of} then asks nothing. Ignored unless it is an
     * absolute path.
     */
    public void remember(Host host, Machine machine, String executable) {
        if (machine != null && executable != null && !executable.isBlank() && Path.of(executable).isAbsolute()) {
            resolved.putIfAbsent(key(host, machine), executable);
        }
    }

    private static List<Object> key(Host host, Machine machine) {
        return List.of(host.name(), host.describe(), machine.python(), machine.fleetRoot(), machine.environment());
    }

    private static String resolve(Host host, Machine machine) throws InterruptedException {
        try {
            ProcessResult run = host.run(ProcessRun.of(machine.python(), "-c", ASK).in(machine.fleetRoot())
                    .environment(machine.environment()).timeout(TIMEOUT));
            String executable = run.stdout().strip();
            if (!run.timedOut() && run.exitStatus() == 0 && !executable.isEmpty() && Path.of(executable).isAbsolute()) {
                return executable;
            }
        } catch (CannotStartException e) {
            // the loads and the analysis report the missing interpreter with their usual message
        }
        return machine.python();
    }
}
