package io.fleetshell.engine.inventory;

import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.ShippedPrograms;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a load of one agent runs with, as {@code inventory env AGENT} prints it: the interpreter, the working
 * directory, the environment fleetshell sets (from the config, from settings.yaml, inherited) and, for a Python
 * agent, the {@code sys.path} the interpreter really builds from them, asked of the interpreter itself on the agent's
 * machine (over ssh for a remote one).
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
    private static final String PROBE = ShippedPrograms.python("env_probe.py");
    private static final java.util.regex.Pattern STDLIB_ZIP = java.util.regex.Pattern.compile("/python\\d+\\.zip$");
    /**
     * Inherited variables that change what a Python load imports; the rest of fleetshell's environment does not (PATH
     * only finds the interpreter, whose resolved executable is shown instead).
     */
    private static final List<String> INHERITED = List.of("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH", "PYTHONNOUSERSITE",
            "PYTHONUSERBASE", "LD_LIBRARY_PATH");

    private static String on(Host host) {
        return host instanceof LocalHost ? "" : " on %s (%s)".formatted(host.name(), host.describe());
    }

    /** One environment variable and where its value comes from: {@code config}, {@code settings.yaml} or {@code inherited}. */
    public record Variable(String name, String value, String origin) {
    }

    /** One {@code sys.path} entry as the interpreter reported it; the standard library's zip counts as existing. */
    public record PathEntry(String path, boolean exists) {
    }

    /**
     * @param host      the agent's machine, where its interpreter runs {@code env_probe.py} (with {@code -c}, as the load
     *                  probe runs) and where the sys.path entries are looked for
     * @param override  settings.yaml's override of the agent's machine (to name the origin of each variable)
     * @param inherited the environment the machine's processes inherit: fleetshell's own on this computer, none of it
     *                  over ssh
     */
    public static LoadEnvironment of(Agent agent, Machine machine, Host host, MachineOverride override, Map<String, String> inherited) {
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
        try {
            ProcessResult run = host.run(ProcessRun.of(machine.python(), "-c", PROBE, agent.script().path().toString())
                    .in(machine.fleetRoot()).environment(machine.environment()).timeout(Duration.ofSeconds(30)));
            if (!run.report().startsWith("{")) {
                return new LoadEnvironment(machine.python(), null, machine.fleetRoot(), variables, List.of(),
                        "the interpreter exited with status %d%s: %s".formatted(run.exitStatus(), on(host), run.tail(400)));
            }
            JsonNode report = JSON.readTree(run.report());
            Map<String, Path> resolved = new LinkedHashMap<>();
            for (JsonNode p : report.path("path")) {
                String entry = p.asString();
                resolved.put(entry, machine.fleetRoot().resolve(entry.isEmpty() ? "." : entry));
            }
            Map<Path, Optional<Host.Found>> found = host.statAll(resolved.values());
            List<PathEntry> entries = new ArrayList<>();
            // Every CPython lists a stdlib zip that is almost never there: not a problem of the fleet's.
            resolved.forEach((entry, path) -> entries.add(new PathEntry(entry,
                    found.getOrDefault(path, Optional.empty()).isPresent() || STDLIB_ZIP.matcher(entry).find())));
            return new LoadEnvironment(machine.python(), report.path("executable").asString() + " (Python " + report.path("version").asString() + ")",
                    machine.fleetRoot(), variables, entries, null);
        } catch (CannotStartException e) {
            return new LoadEnvironment(machine.python(), null, machine.fleetRoot(), variables, List.of(),
                    "cannot start '%s'%s: %s; set python: in the config's global_settings or machines: %s: python: in settings.yaml"
                            .formatted(machine.python(), on(host), e.getMessage(), machine.name()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LoadEnvironment(machine.python(), null, machine.fleetRoot(), variables, List.of(), "interrupted");
        } catch (IOException e) {
            return new LoadEnvironment(machine.python(), null, machine.fleetRoot(), variables, List.of(),
                    "cannot reach %s (%s): %s".formatted(host.name(), host.describe(), e.getMessage()));
        }
    }
}
