package io.fleetshell.shell.commands;

import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.analysis.ParseError;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.java.JavaAnalyzer;
import io.fleetshell.engine.python.analysis.PythonFacts;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Whether an agent's script parses, as {@code FILE:LINE: message} when it does not: what {@code health} asks
 * about an agent that does not answer before it advises starting it. Python scripts go through the facts
 * helper with the machine's interpreter on the agent's machine, Java sources (read there) through JavaParser; a
 * check that cannot run says nothing.
 */
final class ScriptSyntax implements Function<Agent, Optional<String>> {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Inventory inventory;
    private final Hosts hosts;
    private final Set<String> sideEffectModules;

    ScriptSyntax(Inventory inventory, Hosts hosts, Set<String> sideEffectModules) {
        this.inventory = inventory;
        this.hosts = hosts;
        this.sideEffectModules = sideEffectModules;
    }

    @Override
    public Optional<String> apply(Agent agent) {
        if (!agent.script().found()) {
            return Optional.empty();
        }
        Path file = agent.script().path();
        Optional<Machine> machine = inventory.machine(agent.machine());
        Host host = machine.map(hosts::of).orElseGet(hosts::local);
        try {
            ParseError error = agent.java() != null ? new JavaAnalyzer().analyze(file, host.read(file, SafeFiles.SCRIPT_LIMIT)).error()
                    : new PythonFacts().analyze(host, machine.map(Machine::python).orElse(Machine.DEFAULT_PYTHON), List.of(file),
                    sideEffectModules, List.of(), TIMEOUT).getFirst().error();
            if (error == null || error.kind() != ParseError.Kind.SYNTAX) {
                return Optional.empty();
            }
            return Optional.of("%s:%s: %s".formatted(file, error.line() == null ? "?" : error.line(), error.message()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
