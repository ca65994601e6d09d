package io.fleetshell.engine.inventory;

import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a load of one agent runs with, as {@code inventory env AGENT} prints it: the interpreter, the working
 * directory, the environment fleetshell sets (from the config, from settings.yaml, inherited) and, for a Python
 * agent, the {@code sys.path} the interpreter really builds from them, asked of the interpreter itself.
 *
 * @param interpreter      the interpreter as configured ({@code python:}), or the Java launcher
 * @param executable       the interpreter's real executable and version, or null when it did not start
 * @param workingDirectory where loads, proofs and starts run: the fleet root
 * @param variables        every variable fleetshell sets or passes on that bears on imports, with its origin
 * @param sysPath          the {@code sys.path} entries in order, each with whether it exists; empty for Java
 * @param problem          why the interpreter could not be asked, or null
 */
public record LoadEnvironment(String interpreter, String executable, Path workingDirectory, List<Variable> variables,
                              List<PathEntry> sysPath, String problem) {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final java.util.regex.Pattern STDLIB_ZIP = java.util.regex.Pattern.compile("/python\\d+\\.zip$");
    /**
     * Inherited variables that change what a Python load imports; the rest of fleetshell's environment does not (PATH
     * only finds the interpreter, whose resolved executable is shown instead).
     */
    private static final List<String> INHERITED = List.of("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH", "PYTHONNOUSERSITE",
            "PYTHONUSERBASE", "LD_LIBRARY_PATH");

    /** One environment variable and where its value comes from: {@code config}, {@code settings.yaml} or {@code inherited}. */
    public record Variable(String name, String value, String origin) {
    }

    /** One {@code sys.path} entry as the interpreter reported it; the standard library's zip counts as existing. */
    public record PathEntry(String path, boolean exists) {
    }

    /**
     * @param override  settings.yaml's override of the agent's machine (to name the origin of each variable)
     * @param inherited fleetshell's own environment, which every child process inherits
     */
    public static LoadEnvironment of(Agent agent, Machine machine, MachineOverride override, Map<String, String> inherited) {
        List<Variable> variables = new ArrayList<>();
        machine.environment().forEach((name, value) -> variables.add(new Variable(name, value,
                override.environment().containsKey(name) ? "settings.yaml" : "config")));
        for (String name : INHERITED) {
            if (!machine.environment().containsKey(name) && inherited.containsKey(name)) {
                variables.add(new Variable(name, inherited.get(name), "inherited"));
            }
        }
        if (agent.java() != null) {
            return new LoadEnvironment(agent.java().launcher(), null, machine.fleetRoot(), variables, List.of(), null);
        }
        if (!agent.script().found()) {
            return new LoadEnvironment(machine.python(), null, machine.fleetRoot(), variables, List.of(),
                    "script " + agent.script().detail());
        }
        Path probe = null;
        try (InputStream in = LoadEnvironment.class.getResourceAsStream("/io/fleetshell/python/env_probe.py")) {
            probe = io.fleetshell.engine.process.Leftovers.newTempFile("env-probe", ".py");
            Files.write(probe, in.readAllBytes());
            ProcessResult run = ProcessRun.of(machine.python(), probe.toString(), agent.script().path().toString())
                    .in(machine.fleetRoot()).environment(machine.environment()).timeout(Duration.ofSeconds(30)).run();
            if (!run.report().startsWith("{")) {
                return new LoadEnvironment(machine.python(), null, machine.fleetRoot(), variables, List.of(),
                        "the interpreter exited with status %d: %s".formatted(run.exitStatus(), run.tail(400)));
            }
            JsonNode report = JSON.readTree(run.report());
            List<PathEntry> entries = new ArrayList<>();
            for (JsonNode p : report.path("path")) {
                String entry = p.asString();
                Path resolved = machine.fleetRoot().resolve(entry.isEmpty() ? "." : entry);
                // Every CPython lists a stdlib zip that is almost never there: not a problem of the fleet's.
                entries.add(new PathEntry(entry, Files.exists(resolved) || STDLIB_ZIP.matcher(entry).find()));
            }
            return new LoadEnvironment(machine.python(), report.path("executable").asString() + " (Python " + report.path("version").asString() + ")",
                    machine.fleetRoot(), variables, entries, null);
        } catch (CannotStartException e) {
            return new LoadEnvironment(machine.python(), null, machine.fleetRoot(), variables, List.of(),
                    "cannot start '%s': %s; set python: in the config's global_settings or machines: %s: python: in settings.yaml"
                            .formatted(machine.python(), e.getMessage(), machine.name()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LoadEnvironment(machine.python(), null, machine.fleetRoot(), variables, List.of(), "interrupted");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException e) {
                    // a leftover in the temp directory is harmless; the load itself is what was asked about
                }
            }
        }
    }
}
