package io.fleetshell.history;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.java.JavaAnalyzer;
import io.fleetshell.engine.java.JavaBuildCache;
import io.fleetshell.engine.optimize.JavaOptimizer;
import io.fleetshell.engine.optimize.Optimization;
import io.fleetshell.engine.optimize.PythonOptimizer;
import io.fleetshell.engine.optimize.Optimizers;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.BatchSpec;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Restorer;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.rollout.WrittenFileProver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One deployment over Python and Java agents of the demo fleet, each with its own language's pattern, each
 * rewritten by its language's optimizer and planned by the planner: written with backups, the written files proven (python compile / javax.tools), then rolled back
 * byte-exact.
 */
@ExtendWith(HistoryDatabaseExtension.class)
class MixedLanguageRolloutTest {

    @TempDir
    Path dir;

    @Test
    void aMixedPythonAndJavaBatchDeploysAndRollsBackByteExact(HistoryDatabase db) throws Exception {
        Path demo = new DemoFleet().install(dir.resolve("demo"), false).dir();
        InventoryLoader loader = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE);
        List<LoadedConfig> loaded = DemoFleet.configs(demo).stream().map(loader::load).toList();
        Inventory inventory = new Inventory(loaded.stream().map(LoadedConfig::machine).toList(),
                loaded.stream().flatMap(l -> l.agents().stream()).toList());
        Map<String, String> chosen = new LinkedHashMap<>();
        chosen.put("TutorAgent", "dependency_reduction");
        chosen.put("AsyncProcessor", "dependency_reduction");
        chosen.put("KnowledgeIndexAgent", "java_lazy_holder");
        chosen.put("SignatureService", "java_memoize_field");
        chosen.put("RouteMatcherAgent", "java_unused_imports");

        Optimizers optimizers = new Optimizers(new PythonOptimizer(new PythonFacts(), Set.of(), null),
                new JavaOptimizer(new JavaAnalyzer(), null, JavaBuildCache.in(dir.resolve("javac"))));
        Map<AgentId, byte[]> originals = new LinkedHashMap<>();
        List<Optimization> optimizations = new ArrayList<>();
        for (Map.Entry<String, String> entry : chosen.entrySet()) {
            Agent agent = inventory.agents().stream().filter(a -> a.name().equals(entry.getKey())).findFirst().orElseThrow();
            originals.put(agent.id(), Files.readAllBytes(agent.script().path()));
            optimizations.add(optimizers.optimize(inventory, agent, entry.getValue()));
        }
        Plan plan = Planner.of(optimizations, List.of(), Map.of(), new RolloutOptions(BatchSpec.parse("3"), Duration.ZERO, 0, OnFail.ROLLBACK_BATCH));
        assertThat(plan.skipped()).isEmpty();
        assertThat(plan.steps()).hasSize(5);

        DeploymentStore store = new DeploymentStore(db);
        RolloutExecutor executor = new RolloutExecutor(store, id -> inventory.agents().stream().filter(a -> a.id().equals(id))
                .findFirst().orElse(null), new WrittenFileProver(inventory, Duration.ofMinutes(2)), List.of(), AgentRuntime.NOT_RUNNING, "test-host");
        DeploymentResult result = executor.run(plan, RolloutListener.SILENT);

        assertThat(result.state()).as(result.summary()).isEqualTo(DeploymentState.COMPLETED);
        assertThat(result.steps()).extracting(StoredStep::state).containsOnly(StepState.APPLIED);
        for (StoredStep step : result.steps()) {
            assertThat(Files.readAllBytes(step.file())).isNotEqualTo(originals.get(step.agent()));
        }
        assertThat(store.decisions(result.deploymentId())).anySatisfy(r -> assertThat(r.decision().toString())
                .contains("the written file compiles with javax.tools"));

        RolloutExecutor.RollbackResult rollback = executor.rollback(store.steps(result.deploymentId()), "rollback --deployment", false);
        assertThat(rollback.outcomes()).hasSize(5).allMatch(o -> o instanceof Restorer.Restored);
        for (Map.Entry<AgentId, byte[]> original : originals.entrySet()) {
            Agent agent = inventory.agents().stream().filter(a -> a.id().equals(original.getKey())).findFirst().orElseThrow();
            assertThat(Files.readAllBytes(agent.script().path())).as(agent.name()).isEqualTo(original.getValue());
            assertThat(Checksums.sha256(agent.script().path())).isEqualTo(Checksums.sha256(original.getValue()));
        }
        assertThat(store.deployment(result.deploymentId()).orElseThrow().state()).isEqualTo(DeploymentState.ROLLED_BACK);
    }
}
