package io.fleetshell.engine.optimize;

import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.Prover;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.engine.python.proof.ReplayRequests;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proofs of async_initialization and cache_optimization on the demo fleet's EmbeddingAgent and RoutePlanner (real
 * processes, real HTTP): what they check, with which evidence, and the refusal of a cache whose effect cannot be
 * measured. The timing decisions are not asserted (speed lives in bench/, B8); the answers and counts are.
 */
class WorkProofTest {

    @TempDir
    static Path dir;

    static final String PYTHON = CorpusTest.pythonForTests();
    static final Map<String, Agent> AGENTS = new LinkedHashMap<>();
    static final Map<String, Machine> MACHINES = new LinkedHashMap<>();
    static PythonOptimizer optimizer;
    static Prover prover;

    @BeforeAll
    static void install() {
        Path root = new DemoFleet().install(dir.resolve("demo"), false).dir();
        InventoryLoader loader = new InventoryLoader(Map.of("PORT_OFFSET", "30000", "MODEL_DIR", dir.resolve("models").toString()),
                InventoryLoader.DEFAULT_INFRASTRUCTURE);
        for (var source : DemoFleet.configs(root)) {
            LoadedConfig config = loader.load(source);
            Map<String, String> environment = new LinkedHashMap<>(config.machine().environment());
            environment.put("MODEL_DIR", dir.resolve("models").toString());
            Machine machine = new Machine(config.machine().name(), config.machine().fleetRoot(), PYTHON, environment, config.machine().healthCheck());
            for (Agent agent : config.agents()) {
                AGENTS.put(agent.name(), agent);
                MACHINES.put(agent.name(), machine);
            }
        }
        optimizer = new PythonOptimizer(new PythonFacts(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, null);
        prover = new Prover(new Prover.Settings(4, 0.05, Duration.ofSeconds(60), Duration.ofSeconds(60)), dir.resolve("pycache"));
    }

    private static Proof prove(String name, Rewrite rewrite, List<String> requests) {
        Agent agent = AGENTS.get(name);
        Machine machine = MACHINES.get(name);
        return prover.prove(new Prover.Subject(new ProfileTarget(agent.id(), agent.script().path(), PYTHON, machine.fleetRoot(),
                machine.environment()), rewrite, List.of(), List.of(), null, requests));
    }

    private static ProofCheck check(Proof proof, String name) {
        return proof.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(proof.toString()));
    }

    @Test
    void theModelAgentsProofComparesAnswersAndWaitsForReadinessOnRealStarts() {
        Agent agent = AGENTS.get("EmbeddingAgent");
        Optimization result = optimizer.optimize(agent, MACHINES.get("EmbeddingAgent"), List.of(PythonPatterns.byId("async_initialization")));
        assertThat(result.rewrite().pattern()).isEqualTo("async_initialization");
        Proof proof = prove("EmbeddingAgent", result.rewrite(), ReplayRequests.of(agent));
        assertThat(proof.checks()).extracting(ProofCheck::name).containsSubsequence("loads", "same module names", "load time",
                "same answers", "no early answer", "time to healthy", "time to ready");
        assertThat(check(proof, "same answers").outcome()).isEqualTo(ProofCheck.Outcome.PASSED);
        assertThat(check(proof, "no early answer").outcome()).as(check(proof, "no early answer").detail()).isEqualTo(ProofCheck.Outcome.PASSED);
        assertThat(check(proof, "time to healthy").evidence()).containsKeys("before_ms", "after_ms", "p");
        assertThat((List<?>) check(proof, "time to healthy").evidence().get("after_ms")).hasSize(4);
    }

    @Test
    void theCachesProofCountsTheCallsItSavesAndSkipsTheLoadTimeItCannotChange() {
        Agent agent = AGENTS.get("RoutePlanner");
        Optimization result = optimizer.optimize(agent, MACHINES.get("RoutePlanner"), List.of(PythonPatterns.byId("cache_optimization")));
        assertThat(result.rewrite().pattern()).isEqualTo("cache_optimization");
        assertThat(new String(result.rewrite().after())).contains("route_cost = _fleetshell_memo(route_cost, 64)");
        Proof proof = prove("RoutePlanner", result.rewrite(), ReplayRequests.of(agent));
        assertThat(proof.checks()).extracting(ProofCheck::name).doesNotContain("load time").contains("same answers", "call counts");
        assertThat(check(proof, "call counts").detail()).contains("route_cost ran 40 -> 20 times");
        assertThat(proof.deployable()).as(proof.toString()).isTrue();

        Proof unmeasured = prove("RoutePlanner", result.rewrite(), List.of());
        assertThat(unmeasured.deployable()).isFalse();
        assertThat(check(unmeasured, "call counts").detail()).contains("no replay_requests configured");
    }
}
