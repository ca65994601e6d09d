package io.fleetshell.engine.python.graph;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.python.analysis.PythonFacts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The static graph on a small fixture fleet: own modules found the way agents import them, and their dependents. */
class ImportGraphTest {

    @TempDir
    Path fleet;

    private ImportGraph graph;

    static String python() {
        String configured = System.getProperty("fleetshell.test.python");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        Path debian = Path.of("/usr/bin/python3");
        return Files.isExecutable(debian) ? debian.toString() : "python3";
    }

    private void write(String relative, String text) throws IOException {
        Path file = fleet.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    static final String PATH_SETUP = """
            import os
            import sys

            sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
            """;

    @BeforeEach
    void fixture() throws IOException {
        write("main_pc_code/config/startup_config.yaml", """
                global_settings:
                  python: %s
                agent_groups:
                  core:
                    Alpha: {script_path: main_pc_code/agents/alpha.py}
                    Beta: {script_path: main_pc_code/agents/beta.py}
                    Gamma: {script_path: main_pc_code/agents/gamma.py}
                    Broken: {script_path: main_pc_code/agents/broken.py}
                """.formatted(python()));
        write("main_pc_code/agents/alpha.py", PATH_SETUP + """
                from common.base_agent import BaseAgent


                class Alpha(BaseAgent):
                    pass
                """);
        write("main_pc_code/agents/beta.py", PATH_SETUP + """
                def work():
                    import common.util
                    return common.util.VALUE
                """);
        write("main_pc_code/agents/gamma.py", """
                import json
                import local_helper
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    import common.registry
                """);
        write("main_pc_code/agents/broken.py", "def (:\n");
        write("main_pc_code/agents/local_helper.py", "VALUE = 1\n");
        write("common/__init__.py", "");
        write("common/util.py", "VALUE = 2\n");
        write("common/registry.py", "HANDLERS = []\n\ndef register(f):\n    HANDLERS.append(f)\n    return f\n");
        write("common/base_agent.py", """
                from .registry import register
                from common import model_zoo


                class BaseAgent:
                    def model(self):
                        return model_zoo.load()
                """);
        write("common/model_zoo.py", "import common.heavy.core\n\ndef load():\n    return common.heavy.core.TABLE\n");
        write("common/heavy/__init__.py", "");
        write("common/heavy/core.py", "TABLE = list(range(10))\n");
        LoadedConfig loaded = new InventoryLoader(Map.of(), Set.of())
                .load(new ConfigSource(fleet.resolve("main_pc_code/config/startup_config.yaml"), null, null));
        graph = ImportGraph.build(new Inventory(java.util.List.of(loaded.machine()), loaded.agents()),
                PythonFacts.withTemporaryHelper(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES);
    }

    private java.util.List<String> dependents(String module) {
        return graph.dependents(graph.module(module)).stream().map(Agent::name).toList();
    }

    @Test
    void findsSharedModulesThroughTwoLevelsOfImportsAndRelativeOnes() {
        assertThat(graph.modules()).extracting(FleetModule::name).containsExactly(
                "common", "common.base_agent", "common.heavy", "common.heavy.core", "common.model_zoo", "common.registry",
                "common.util", "local_helper");
        assertThat(dependents("common.heavy.core")).containsExactly("Alpha");
        assertThat(dependents("common.registry")).containsExactly("Alpha"); // relative import; Gamma's is under TYPE_CHECKING
        assertThat(dependents("common")).containsExactly("Alpha", "Beta");
        assertThat(dependents("common.util")).containsExactly("Beta"); // an import inside a function still loads it
        assertThat(dependents("local_helper")).containsExactly("Gamma"); // found beside the agent's script
    }

    @Test
    void recordsWhoImportsAModuleAndFromWhichLine() {
        FleetModule zoo = graph.module("common.model_zoo");
        assertThat(graph.importersOf(zoo)).extracting(e -> fleet.relativize(e.importer()) + ":" + e.line())
                .containsExactly("common/base_agent.py:2");
        assertThat(graph.importersOf(graph.module("common.util"))).singleElement()
                .satisfies(e -> assertThat(e.atModuleLevel()).isFalse());
        assertThat(graph.modulesOf(graph.agents().stream().filter(a -> a.name().equals("Alpha")).findFirst().orElseThrow()))
                .extracting(FleetModule::name)
                .containsExactly("common", "common.base_agent", "common.heavy", "common.heavy.core", "common.model_zoo", "common.registry");
    }

    @Test
    void resolvesDottedNamesAndPathsUnderTheFleetRoot() {
        FleetModule base = graph.module("common.base_agent");
        assertThat(base.file()).isEqualTo(fleet.resolve("common/base_agent.py").toAbsolutePath());
        assertThat(base.relativePath()).isEqualTo("common/base_agent.py");
        assertThat(graph.moduleOf("common/base_agent.py")).contains(base);
        assertThat(graph.moduleOf(fleet.resolve("common/base_agent.py").toString())).contains(base);
        assertThat(graph.moduleOf("common/heavy")).map(FleetModule::name).contains("common.heavy");
        assertThat(graph.moduleOf("common.nothing")).isEmpty();
        assertThat(graph.moduleOf("main_pc_code/agents/alpha.py")).isEmpty(); // an agent's script, imported by nobody

        assertThatThrownBy(() -> graph.module("common.base_agnt"))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_NAME))
                .hasMessageContaining("Did you mean").hasMessageContaining("common.base_agent?");
    }
}
