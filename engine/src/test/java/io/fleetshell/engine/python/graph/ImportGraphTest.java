package io.fleetshell.engine.python.graph;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.ImportTiming;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.python.pattern.ImporterReads;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
                    Delta: {script_path: main_pc_code/agents/delta.py}
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
        write("main_pc_code/agents/delta.py", PATH_SETUP + """
                from common.exports import *
                from common.base_agent import json as codec
                import common.model_zoo
                ENCODER = codec.JSONEncoder
                """);
        write("common/exports.py", """
                import statistics
                import fractions

                __all__ = ["statistics", "ratio"]


                def ratio(a, b):
                    return fractions.Fraction(a, b)
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
                import json
                import decimal

                __all__ = ["BaseAgent", "decimal"]


                class BaseAgent:
                    def __init_subclass__(cls, **kwargs):
                        super().__init_subclass__(**kwargs)
                        register(cls)

                    def model(self):
                        return model_zoo.load()

                    def dump(self, value):
                        return json.dumps(value) + str(decimal.Decimal(1))
                """);
        write("common/model_zoo.py", "import common.heavy.core\n\ndef load():\n    return common.heavy.core.TABLE\n");
        write("common/heavy/__init__.py", "");
        write("common/heavy/core.py", "TABLE = list(range(10))\n");
        LoadedConfig loaded = new InventoryLoader(Map.of(), Set.of())
                .load(new ConfigSource(fleet.resolve("main_pc_code/config/startup_config.yaml"), null, null));
        graph = ImportGraph.build(new Inventory(java.util.List.of(loaded.machine()), loaded.agents()),
                new PythonFacts(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES);
    }

    private java.util.List<String> dependents(String module) {
        return graph.dependents(graph.module(module)).stream().map(Agent::name).toList();
    }

    @Test
    void findsSharedModulesThroughTwoLevelsOfImportsAndRelativeOnes() {
        assertThat(graph.modules()).extracting(FleetModule::name).containsExactly(
                "common", "common.base_agent", "common.exports", "common.heavy", "common.heavy.core", "common.model_zoo",
                "common.registry", "common.util", "local_helper");
        assertThat(dependents("common.heavy.core")).containsExactly("Alpha", "Delta");
        assertThat(dependents("common.registry")).containsExactly("Alpha", "Delta"); // relative; Gamma's is under TYPE_CHECKING
        assertThat(dependents("common")).containsExactly("Alpha", "Beta", "Delta");
        assertThat(dependents("common.base_agent")).containsExactly("Alpha", "Delta");
        assertThat(dependents("common.util")).containsExactly("Beta"); // an import inside a function still loads it
        assertThat(dependents("local_helper")).containsExactly("Gamma"); // found beside the agent's script
    }

    @Test
    void recordsWhoImportsAModuleAndFromWhichLine() {
        FleetModule zoo = graph.module("common.model_zoo");
        assertThat(graph.importersOf(zoo)).extracting(e -> fleet.relativize(e.importer()) + ":" + e.line())
                .containsExactly("common/base_agent.py:2", "main_pc_code/agents/delta.py:7");
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

    private ModuleImport importOf(ModuleReport report, String bound) {
        return report.imports().stream().filter(i -> bound.equals(i.fact().bound())).findFirst().orElseThrow();
    }

    @Test
    void aBaseClassReadByAnImporterKeepsWhatItsSubclassHookNeedsEager() {
        ModuleReport base = ModuleReports.of(graph, graph.module("common.base_agent"), agent -> null);
        ModuleImport register = importOf(base, "register");
        assertThat(register.deferrable()).isFalse();
        assertThat(register.verdictWord()).isEqualTo("eager");
        assertThat(register.readThrough().importer()).isEqualTo(fleet.resolve("main_pc_code/agents/alpha.py").toAbsolutePath());
        assertThat(register.explain()).contains("alpha.py:8 uses `BaseAgent` while it loads (base class), which runs "
                + "`BaseAgent.__init_subclass__()` of this module, where line 12 uses it");
        // used only in methods that no importer runs while it loads
        assertThat(importOf(base, "model_zoo").deferrable()).isTrue();
        // listed in __all__, but nobody imports * from common.base_agent: the binding stays, the import may be late
        assertThat(importOf(base, "decimal").deferrable()).isTrue();
        // a re-export: Delta imports json from it and uses it while it loads
        assertThat(importOf(base, "json").explain())
                .contains("delta.py:8 imports `json` from it (a re-export, line 6) and uses it while it loads (module-level statement)");

        ImporterReads reads = ModuleReports.importerReads(graph, graph.module("common.base_agent"));
        assertThat(reads.atImportTime()).containsOnlyKeys("register", "json");
        assertThat(reads.later()).isEmpty();
        assertThat(reads.wholeModule()).isNull();
        assertThat(base.deferrable()).extracting(i -> i.fact().bound()).containsExactly("model_zoo", "decimal");
        assertThat(base.deferrableMillis()).as("nothing profiled: no figure").isNull();
        assertThat(base.notProfiled()).extracting(Object::toString).containsExactly("mainpc/Alpha", "mainpc/Delta");
    }

    @Test
    void aStarImportReadsWhatAllListsAndNothingElse() {
        ModuleReport exports = ModuleReports.of(graph, graph.module("common.exports"), agent -> null);
        assertThat(importOf(exports, "statistics").explain()).contains("delta.py:5 imports * from it");
        assertThat(importOf(exports, "fractions").deferrable()).isTrue();
    }

    @Test
    void costsAreTheMediansOfTheStoredImportTreesWithTheSamplesTheyCameFrom() {
        Agent alpha = graph.agents().stream().filter(a -> a.name().equals("Alpha")).findFirst().orElseThrow();
        List<LoadSample> samples = new ArrayList<>();
        long[] zoo = {40_000, 38_000, 44_000};
        for (int run = 1; run <= 3; run++) {
            samples.add(new LoadSample(run, true, 50, 1000, 9, List.of(
                    new ImportTiming("common", 0, 10, 10),
                    new ImportTiming("common.registry", 1, 100, 100),
                    new ImportTiming("common.heavy", 2, 5, 5),
                    new ImportTiming("common.heavy.core", 2, 30_000, 30_000),
                    new ImportTiming("common.model_zoo", 1, 9_000, zoo[run - 1]),
                    new ImportTiming("decimal", 1, 2_000, 2_000),
                    new ImportTiming("common.base_agent", 0, 300, 300 + 100 + zoo[run - 1] + 2_000)),
                    List.of(), "3.11.2", null));
        }
        AgentProfile profile = new AgentProfile(new ProfileTarget(alpha.id(), alpha.script().path(), python(), fleet, Map.of()), samples);
        ModuleReport base = ModuleReports.of(graph, graph.module("common.base_agent"),
                agent -> agent.equals(alpha) ? new ModuleReports.Profiled(profile, 3) : null);

        assertThat(importOf(base, "model_zoo").costs()).singleElement().satisfies(cost -> {
            assertThat(cost.millis()).isEqualTo(40.0);
            assertThat(cost.source()).isEqualTo("mainpc/Alpha baseline v3, runs 1-3");
        });
        assertThat(base.deferrableMillis()).isEqualTo(42.0); // model_zoo 40 + decimal 2, Delta not profiled
        assertThat(base.notProfiled()).extracting(Object::toString).containsExactly("mainpc/Delta");

        // Delta imports common.model_zoo itself at module level: deferring base_agent's import does not take it off
        Agent delta = graph.agents().stream().filter(a -> a.name().equals("Delta")).findFirst().orElseThrow();
        AgentProfile deltaProfile = new AgentProfile(new ProfileTarget(delta.id(), delta.script().path(), python(), fleet, Map.of()), samples);
        ModuleReport both = ModuleReports.of(graph, graph.module("common.base_agent"),
                agent -> agent.equals(alpha) ? new ModuleReports.Profiled(profile, 3) : new ModuleReports.Profiled(deltaProfile, 1));
        assertThat(importOf(both, "model_zoo").loadedAnyway()).extracting(Object::toString).containsExactly("mainpc/Delta");
        assertThat(importOf(both, "model_zoo").costs()).extracting(ImportCost::millis).containsExactly(40.0, 0.0);
        assertThat(both.deferrableMillis()).isEqualTo(44.0);
        assertThat(base.self()).singleElement().satisfies(cost -> assertThat(cost.millis()).isEqualTo(0.3));
        assertThat(base.cumulative()).singleElement().satisfies(cost -> assertThat(cost.millis()).isEqualTo(42.4));
        assertThat(ModuleReports.all(graph, agent -> agent.equals(alpha) ? new ModuleReports.Profiled(profile, 3) : null).getFirst()
                .module().name()).isEqualTo("common.base_agent");
    }

    @Test
    void aModuleOutsideTheFleetsOwnCodeListsItsImportersAndTheAgentsWhoseFilesImportIt() {
        ExternalModuleReport json = ModuleReports.external(graph, "json", agent -> null).orElseThrow();
        assertThat(json.importers()).extracting(i -> fleet.relativize(i.file()) + ":" + i.line() + " " + i.statement())
                .containsExactlyInAnyOrder("main_pc_code/agents/gamma.py:1 import json", "common/base_agent.py:3 import json");
        assertThat(json.dependents()).extracting(Object::toString).containsExactly("mainpc/Alpha", "mainpc/Delta", "mainpc/Gamma");
        assertThat(json.loadedBy()).isEmpty();
        assertThat(ModuleReports.external(graph, "common.base_agent", agent -> null)).isEmpty();
        assertThat(ModuleReports.external(graph, "numpy", agent -> null)).isEmpty();
    }
}
