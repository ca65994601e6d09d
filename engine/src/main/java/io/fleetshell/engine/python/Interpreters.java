package io.fleetshell.engine.python;

import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;

import java.nio.file.Files;
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
 * Python starts, which was more than half the wall time of a proof (issue 19). One instance lives as long as one
 * command, so a changed {@code .python-version} applies to the next command.
 */
public final class Interpreters {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Map<List<Object>, String> resolved = new ConcurrentHashMap<>();

    /**
     * The absolute path of the machine's interpreter, or its configured {@code python} unchanged when that cannot be
     * resolved (it does not start, or reports no executable): the loads then fail, or run, exactly as before.
     */
    public String of(Machine machine) {
        if (machine == null) {
            return Machine.DEFAULT_PYTHON;
        }
        List<Object> key = List.of(machine.python(), machine.fleetRoot(), machine.environment());
        String known = resolved.get(key);
        if (known != null) {
            return known;
        }
        try {
            String executable = resolve(machine);
            resolved.put(key, executable);
            return executable;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // what runs next sees it and stops; nothing is remembered
            return machine.python();
        }
    }

    private static String resolve(Machine machine) throws InterruptedException {
        try {
            ProcessResult run = ProcessRun.of(machine.python(), "-c", "import sys; print(sys.executable)").in(machine.fleetRoot())
                    .environment(machine.environment()).timeout(TIMEOUT).run();
            String executable = run.stdout().strip();
            if (!run.timedOut() && run.exitStatus() == 0 && !executable.isEmpty() && Path.of(executable).isAbsolute()
                    && Files.isExecutable(Path.of(executable))) {
                return executable;
            }
        } catch (CannotStartException e) {
            // the loads report the missing interpreter with their usual message
        }
        return machine.python();
    }
}
