package io.fleetshell.engine.python.shared;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.optimize.PythonOptimizer;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.proof.EffectFloor;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.python.pattern.ImporterReads;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14, the joint change: two shared modules that both import the same costly module at their module level, used
 * only in methods, and two agents that load both. Deferring it in one module alone takes nothing off the agents' start-up
 * (the other still loads it), so that change is refused by its proof; the two modules changed together, with one helper
 * module, gain, and are proved once over the union of their dependents. The load-time decision is on CPU time with a
 * gain of about 100 ms against a floor of 3 % and 2 ms, so it does not flip with the machine's load.
 */
class JointModuleChangeTest {

    static final String PYTHON = SharedModuleOptimizerTest.PYTHON;
    static final String METRICS = """
            import common.heavy


            class Meter:
                def __init__(self, name):
                    self.name = name

                def size(self):
                    return len(common.heavy.TABLE)


            def label(value):
                return "m:" + str(value)
            """;

    @TempDir
    Path root;
    Inventory inventory;
    PythonOptimizer optimizer;

    @BeforeEach
    void fleet() throws IOException {
        write("common/__init__.py", "");
        // definitions only (pure calls), so deferring it is allowed; about 100 ms of CPU to load
        write("common/heavy.py", "TABLE = tuple(sorted(range(240000), key=lambda i: (i * 2654435761) % 4294967296))\nTOTAL = len(TABLE)\n");
        write("common/base.py", "import common.heavy\n\n\nclass Base:\n    def total(self):\n        return common.heavy.TOTAL\n");
        write("common/metrics.py", METRICS);
        String header = "import os\nimport sys\nsys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n";
        // the agents read Meter while they load: common.metrics is loaded eagerly by them whatever base does
        write("agents/a.py", header + "from common.base import Base\nfrom common.metrics import Meter\n\nMETER = Meter('a')\n\n\nclass A(Base):\n    pass\n");
        write("agents/b.py", header + "from common.base import Base\nfrom common.metrics import Meter\n\nMETER = Meter('b')\n\n\nclass B(Base):\n    pass\n");
        load(List.of("a", "b"));
        optimizer = new PythonOptimizer(new PythonFacts(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, null);
    }

    private void load(List<String> names) throws IOException {
        StringBuilder config = new StringBuilder("global_settings:\n  python: " + PYTHON + "\nagent_groups:\n  shared:\n");
        for (String name : names) {
            config.append("    Agent").append(name.toUpperCase()).append(":\n")
                    .append("      script_path: agents/").append(name).append(".py\n")
                    .append("      port: ").append(Ports.free()).append("\n");
            if (!name.equals("c")) {
                config.append("      test_command: \"").append(PYTHON).append(" -c 'import runpy; m = runpy.run_path(\\\"{script}\\\"); ")
                        .append("assert m[\\\"").append(name.toUpperCase()).append("\\\"]().total() > 0 and m[\\\"METER\\\"].size() > 0'\"\n");
            }
        }
        write("config/startup_config.yaml", config.toString());
        LoadedConfig loaded = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE)
                .load(new ConfigSource(root.resolve("config/startup_config.yaml"), "main", root));
        Machine machine = new Machine(loaded.machine().name(), loaded.machine().fleetRoot(), PYTHON, loaded.machine().environment(),
                loaded.machine().healthCheck());
        inventory = new Inventory(List.of(machine), loaded.agents());
    }

    private void write(String file, String text) throws IOException {
        Files.createDirectories(root.resolve(file).getParent());
        Files.writeString(root.resolve(file), text);
    }

    private SharedModuleOptimizer.SharedModule module(String name) {
        return new SharedModuleOptimizer.SharedModule(name, root.resolve(name.replace('.', '/') + ".py"), root, inventory.agents(), ImporterReads.NONE);
    }

    private DependentsProof proof(int pairs) {
        return new DependentsProof(pairs, 0.05, EffectFloor.DEFAULT, Duration.ofSeconds(60), Duration.ofSeconds(120), root.resolve(".pycache-test"));
    }

    @Test
    void eachModuleAloneGainsNothingAndIsRefusedTogetherTheyAreProvedOnceOverAllDependents() {
        SharedModuleOptimization alone = new SharedModuleOptimizer(optimizer, proof(10)).optimize(inventory, module("common.base"), null,
                PythonPatterns.all());
        assertThat(alone.change().changes()).isTrue();
        assertThat(alone.deployable()).as("common.metrics still loads common.heavy: deferring it in base alone gains nothing").isFalse();
        assertThat(alone.proof().loadTime().outcome()).isEqualTo(ProofCheck.Outcome.FAILED);

        JointModuleOptimization joint = new SharedModuleOptimizer(optimizer, proof(10)).optimize(inventory,
                List.of(module("common.base"), module("common.metrics"), module("common.heavy")), null, PythonPatterns.all());

        assertThat(joint.name()).isEqualTo("common.base,common.metrics");
        assertThat(joint.left()).containsOnlyKeys("common.heavy");
        assertThat(joint.left().get("common.heavy")).startsWith("its rewrite changes nothing");
        assertThat(joint.helperModule()).isEqualTo("common._fleetshell_lazy");
        assertThat(joint.change().changed()).extracting(Rewrite::file).containsExactly(root.resolve("common/_fleetshell_lazy.py"),
                root.resolve("common/base.py"), root.resolve("common/metrics.py"));
        for (Rewrite module : joint.change().changed().subList(1, 3)) {
            assertThat(new String(module.after(), StandardCharsets.UTF_8)).contains("from common._fleetshell_lazy import _fleetshell_lazy\n")
                    .contains("common = _fleetshell_lazy(\"common.heavy\", \"common\")\n");
        }
        assertThat(joint.modules()).extracting(JointModuleOptimization.Part::module).containsExactly("common.base", "common.metrics");
        assertThat(joint.dependents()).extracting(a -> a.name()).containsExactly("AgentA", "AgentB");

        DependentsProof.Result proof = joint.proof();
        assertThat(proof.module()).extracting(ProofCheck::name).containsExactly("compiles", "compiles", "no new undefined name", "compiles",
                "no new undefined name");
        assertThat(proof.dependents()).hasSize(2).allSatisfy(d -> assertThat(d.checks()).as(d.toString())
                .extracting(ProofCheck::outcome).containsOnly(ProofCheck.Outcome.PASSED));
        assertThat(proof.loadTime().evidence()).containsEntry("pairs", 10);
        assertThat(joint.deployable()).as(proof.firstFailure().orElse("")).isTrue();
        assertThat(Files.exists(root.resolve("common/_fleetshell_lazy.py"))).as("a proof writes nothing in the fleet").isFalse();
    }

    /** A joint change that breaks one dependent: the message names the agent and the module whose change breaks it. */
    @Test
    void aModuleWhoseChangeBreaksADependentFailsTheJointChangeAndIsNamed() throws IOException {
        String header = "import os\nimport sys\nsys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n";
        write("agents/c.py", header + "from common.base import Base\nfrom common.metrics import label\n\nLABEL = label(1)\n");
        load(List.of("a", "b", "c"));
        Path base = root.resolve("common/base.py");
        Path metrics = root.resolve("common/metrics.py");
        byte[] baseBefore = Files.readAllBytes(base);
        Rewrite baseChange = new Rewrite("lazy_loading", base, baseBefore,
                new String(baseBefore, StandardCharsets.UTF_8).replace("class Base:", "# rewritten\nclass Base:").getBytes(StandardCharsets.UTF_8), List.of());
        // dependency_reduction gone wrong: `label` is dropped on purpose (so the others' name check allows it) although AgentC imports it
        Rewrite metricsChange = new Rewrite("lazy_loading", metrics, METRICS.getBytes(StandardCharsets.UTF_8),
                METRICS.substring(0, METRICS.indexOf("\n\ndef label")).concat("\n").getBytes(StandardCharsets.UTF_8), List.of());
        ChangeSet change = new ChangeSet("lazy_loading", List.of(baseChange, metricsChange), List.of());
        List<AgentId> all = inventory.agents().stream().map(a -> a.id()).toList();
        List<DependentsProof.ChangedModule> modules = List.of(
                new DependentsProof.ChangedModule("common.base", base, List.of(), all, ChangeSet.of(baseChange)),
                new DependentsProof.ChangedModule("common.metrics", metrics, List.of("label"), all, ChangeSet.of(metricsChange)));
        List<DependentsProof.Dependent> dependents = inventory.agents().stream()
                .map(agent -> new DependentsProof.Dependent(agent, new ProfileTarget(agent.id(), agent.script().path(), PYTHON, root, Map.of()),
                        agent.commands().test()))
                .toList();

        DependentsProof.Result result = proof(0).prove(root, change, modules, dependents);

        assertThat(result.deployable()).isFalse();
        assertThat(result.dependents()).filteredOn(d -> !d.passed()).extracting(d -> d.agent().name()).containsExactly("AgentC");
        assertThat(result.firstFailure()).hasValueSatisfying(m -> assertThat(m)
                .startsWith("dependent main/AgentC breaks (the change of common.metrics breaks it alone): loads: ")
                .contains("ImportError"));
        assertThat(Files.readAllBytes(metrics)).as("the proof ran on a copy").isEqualTo(METRICS.getBytes(StandardCharsets.UTF_8));
    }
}
