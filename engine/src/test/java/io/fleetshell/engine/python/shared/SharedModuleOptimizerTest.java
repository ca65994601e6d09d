package io.fleetshell.engine.python.shared;

import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.optimize.PythonOptimizer;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.EffectFloor;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.python.pattern.DeferHeavyImports;
import io.fleetshell.engine.python.pattern.ImporterReads;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.engine.profile.ProfileTarget;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 14 items 2 and 3 on a small real fleet: a shared base module with a costly own import that only its methods
 * use, subclassed by two agents (and read through by a third in one test), rewritten with the helper module and proved on
 * every dependent by real loads and real test commands.
 */
class SharedModuleOptimizerTest {

    /** As the other engine tests: {@code -Dfleetshell.test.python=...}, else Debian's, else {@code python3}. */
    static final String PYTHON = System.getProperty("fleetshell.test.python", "").isBlank()
            ? (Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3") : System.getProperty("fleetshell.test.python");
    static final String BASE = """
            import csv

            import common.heavy


            class Base:
                def total(self):
                    return common.heavy.TOTAL

                def dump(self, value):
                    return csv.excel.delimiter + repr(value)
            """;

    @TempDir
    Path root;
    Inventory inventory;
    PythonOptimizer optimizer;

    @BeforeEach
    void fleet() throws IOException {
        write("common/__init__.py", "");
        // definitions only (pure calls), so deferring it is allowed, and about 50 ms of CPU to load
        write("common/heavy.py", "TABLE = tuple(sorted(range(120000), key=lambda i: (i * 2654435761) % 4294967296))\nTOTAL = len(TABLE)\n");
        write("common/base.py", BASE);
        String header = "import os\nimport sys\nsys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n";
        write("agents/a.py", header + "from common.base import Base\n\n\nclass A(Base):\n    NAME = 'a'\n");
        write("agents/b.py", header + "from common.base import Base\n\n\nclass B(Base):\n    pass\n\n\nB_TOTAL_LATER = None\n");
        load(List.of("a", "b"));
        optimizer = new PythonOptimizer(new PythonFacts(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, null);
    }

    /** The inventory of the named agents: AgentA, AgentB with a test_command each, AgentC without. */
    private void load(List<String> names) throws IOException {
        StringBuilder config = new StringBuilder("global_settings:\n  python: " + PYTHON + "\nagent_groups:\n  shared:\n");
        for (String name : names) {
            config.append("    Agent").append(name.toUpperCase()).append(":\n")
                    .append("      script_path: agents/").append(name).append(".py\n")
                    .append("      port: ").append(Ports.free()).append("\n");
            if (!name.equals("c")) {
                config.append("      test_command: \"").append(PYTHON).append(" -c 'import runpy; m = runpy.run_path(\\\"{script}\\\"); ")
                        .append("assert m[\\\"").append(name.toUpperCase()).append("\\\"]().total() > 0'\"\n");
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

    private SharedModuleOptimizer.SharedModule base(ImporterReads reads) {
        return new SharedModuleOptimizer.SharedModule("common.base", root.resolve("common/base.py"), root, inventory.agents(), reads);
    }

    private DependentsProof proof(int pairs) {
        return new DependentsProof(pairs, 0.05, EffectFloor.DEFAULT, Duration.ofSeconds(60), Duration.ofSeconds(120), root.resolve(".pycache-test"));
    }

    @Test
    void theModuleIsRewrittenWithAHelperItCreatesAndProvedOnEveryDependent() {
        SharedModuleOptimization result = new SharedModuleOptimizer(optimizer, proof(6))
                .optimize(inventory, base(ImporterReads.NONE), null, PythonPatterns.all());

        ChangeSet change = result.change();
        assertThat(change.changed()).as(result.applicability().toString()).extracting(Rewrite::file)
                .containsExactly(root.resolve("common/_fleetshell_lazy.py"), root.resolve("common/base.py"));
        assertThat(change.changed().getFirst().createsFile()).isTrue();
        assertThat(change.changed().getFirst().notes()).anyMatch(n -> n.contains("a rollback removes it"));
        assertThat(change.changed().getFirst().after()).isEqualTo(DeferHeavyImports.helperModule());
        String rewritten = new String(change.changed().get(1).after(), StandardCharsets.UTF_8);
        assertThat(rewritten).contains("from common._fleetshell_lazy import _fleetshell_lazy\n")
                .contains("csv = _fleetshell_lazy(\"csv\", \"csv\")\n")
                .contains("common = _fleetshell_lazy(\"common.heavy\", \"common\")\n")
                .doesNotContain("def _fleetshell_lazy(");
        assertThat(result.helperModule()).isEqualTo("common._fleetshell_lazy");
        assertThat(change.unifiedDiff()).contains("--- /dev/null\n+++ b/_fleetshell_lazy.py (lazy_loading)");
        assertThat(Files.exists(root.resolve("common/_fleetshell_lazy.py"))).as("a dry change writes nothing").isFalse();

        DependentsProof.Result proof = result.proof();
        assertThat(proof.module()).extracting(ProofCheck::outcome).containsOnly(ProofCheck.Outcome.PASSED);
        assertThat(proof.dependents()).extracting(d -> d.agent().name()).containsExactly("AgentA", "AgentB");
        for (DependentsProof.DependentResult dependent : proof.dependents()) {
            assertThat(dependent.checks()).extracting(ProofCheck::name).containsExactly("loads", "same module names", ProofCheck.AGENT_TESTS);
            assertThat(dependent.checks()).as(dependent.toString()).extracting(ProofCheck::outcome).containsOnly(ProofCheck.Outcome.PASSED);
            assertThat(dependent.loadTime()).containsKeys("before_cpu_median_ms", "after_cpu_median_ms").containsEntry("pairs", 3);
        }
        assertThat(proof.loadTime().name()).isEqualTo(DependentsProof.LOAD_TIME);
        assertThat(proof.loadTime().evidence()).containsEntry("pairs", 6).containsKey("dependents");
    }

    @Test
    void aHelperThatHoldsTheLoaderIsReusedAndAnyOtherFileOfThatNameIsRefused() throws IOException {
        Files.write(root.resolve("common/_fleetshell_lazy.py"), DeferHeavyImports.helperModule());
        SharedModuleOptimization reused = new SharedModuleOptimizer(optimizer, null).optimize(inventory, base(ImporterReads.NONE), null,
                PythonPatterns.all());
        assertThat(reused.change().changed()).extracting(Rewrite::file).containsExactly(root.resolve("common/base.py"));
        assertThat(reused.change().notes()).anyMatch(n -> n.contains("reused"));
        assertThat(reused.change().files()).as("the reused helper is listed unchanged, so the step records that it uses it")
                .extracting(Rewrite::file, Rewrite::changes)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(root.resolve("common/_fleetshell_lazy.py"), false),
                        org.assertj.core.groups.Tuple.tuple(root.resolve("common/base.py"), true));

        write("common/_fleetshell_lazy.py", "def _fleetshell_lazy(target, bound):\n    return None\n");
        assertThatThrownBy(() -> new SharedModuleOptimizer(optimizer, null).optimize(inventory, base(ImporterReads.NONE), null, PythonPatterns.all()))
                .isInstanceOf(FleetshellException.class)
                .hasMessageContaining("common/_fleetshell_lazy.py exists and is not the lazy loader")
                .hasMessageContaining("--helper-package").hasMessageContaining("nothing was changed");
    }

    @Test
    void theHelperGoesInThePackageTheUserNames() throws IOException {
        write("shared/__init__.py", "");
        SharedModuleOptimization result = new SharedModuleOptimizer(optimizer, null).optimize(inventory, base(ImporterReads.NONE), "shared",
                PythonPatterns.all());
        assertThat(result.change().created()).containsExactly(root.resolve("shared/_fleetshell_lazy.py"));
        assertThat(new String(result.change().changed().get(1).after(), StandardCharsets.UTF_8))
                .contains("from shared._fleetshell_lazy import _fleetshell_lazy\n");
        assertThatThrownBy(() -> new SharedModuleOptimizer(optimizer, null).optimize(inventory, base(ImporterReads.NONE), "nowhere",
                PythonPatterns.all())).hasMessageContaining("--helper-package nowhere").hasMessageContaining("not a package directory");
    }

    @Test
    void whatAnImporterReadsThroughTheModuleWhileItLoadsStaysEager() {
        SharedModuleOptimization result = new SharedModuleOptimizer(optimizer, null).optimize(inventory,
                base(new ImporterReads(Map.of("csv", "agents/c.py:5"), Map.of(), null)), null, PythonPatterns.all());
        String rewritten = new String(result.change().changed().getLast().after(), StandardCharsets.UTF_8);
        assertThat(rewritten).contains("\nimport csv\n").contains("kept eager: `import csv` (line 1): an importer needs it while it loads (rule 1 across importers): agents/c.py:5");
        assertThat(result.deferredNames()).containsExactly("common.heavy");
    }

    /** One broken dependent makes the change not deployable, and the failure names it. */
    @Test
    void aChangeThatBreaksOneDependentIsNotDeployableAndTheMessageNamesIt() throws IOException {
        write("agents/c.py", "import os\nimport sys\nsys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n"
                + "from common.base import csv\nDIALECT = csv.excel\n");
        load(List.of("a", "b", "c"));
        byte[] before = BASE.getBytes(StandardCharsets.UTF_8);
        byte[] after = BASE.replace("import csv\n", "").replace("csv.excel.delimiter + ", "").getBytes(StandardCharsets.UTF_8);
        ChangeSet change = ChangeSet.of(new Rewrite("dependency_reduction", root.resolve("common/base.py"), before, after, List.of()));
        List<DependentsProof.Dependent> dependents = inventory.agents().stream()
                .map(agent -> new DependentsProof.Dependent(agent, new ProfileTarget(agent.id(), agent.script().path(), PYTHON, root, Map.of()),
                        agent.commands().test()))
                .toList();

        DependentsProof.Result result = proof(0).prove(root, change, root.resolve("common/base.py"), "common.base", List.of("csv"), dependents);

        assertThat(result.deployable()).isFalse();
        assertThat(result.firstFailure()).hasValueSatisfying(m -> assertThat(m).startsWith("dependent main/AgentC breaks: loads: the agent loads before the change and fails with ImportError")
                .contains("ImportError"));
        assertThat(result.dependents()).extracting(DependentsProof.DependentResult::passed).containsExactly(true, true, false);
        assertThat(Files.readAllBytes(root.resolve("common/base.py"))).as("the fleet is never written").isEqualTo(before);
    }
}
