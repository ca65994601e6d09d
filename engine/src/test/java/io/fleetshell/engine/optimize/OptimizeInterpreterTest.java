package io.fleetshell.engine.optimize;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.testing.PyenvShim;
import io.fleetshell.engine.python.analysis.PythonFacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An optimize starts the machine's python by its configured name once: the analysis of the script starts it from the
 * fleet root with the machine's environment (as the agents start), reports what it resolved to, and everything after
 * runs that interpreter. Over ssh each start by name was a session of its own (issue 20: the per-operation overhead);
 * here a shim like pyenv's counts its calls.
 */
class OptimizeInterpreterTest {

    @TempDir
    Path dir;

    @Test
    void theConfiguredNameIsStartedOnceAndResolvesAsTheAgentsDo() throws IOException {
        Path root = Files.createDirectories(dir.resolve("fleet"));
        PyenvShim python = PyenvShim.in(dir, root);
        Path script = Files.writeString(root.resolve("agent.py"), """
                import json
                import unused_here_is_fine

                def handle(text):
                    return json.dumps(text)
                """);
        Machine machine = new Machine("m", root, python.shim().toString(), PyenvShim.ENVIRONMENT, Map.of());
        Agent agent = new Agent(new AgentId("m", "Agent"), "core", "agent.py", new ScriptResolution(ScriptResolution.Status.FOUND, script, "found"),
                null, null, null, false, List.of(), Map.of(), null, false, root.resolve("config.yaml"), 1);

        Optimization result = new PythonOptimizer(new PythonFacts(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, null).optimize(agent, machine,
                PythonPatterns.all());

        assertThat(result.rewrite().changes()).as("json is deferred: the rewrite's facts were asked as well").isTrue();
        assertThat(python.isReal(result.python())).as(result.python()).isTrue();
        assertThat(python.starts()).as("the shim, started by name").isEqualTo(1);
    }
}
