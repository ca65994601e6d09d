package io.fleetshell.engine.optimize;

import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.python.pattern.InitializeInBackground;
import io.fleetshell.engine.python.pattern.MemoizePureFunctions;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.engine.python.proof.AgentRuns;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The corpus of issue 21: agent files written for async_initialization and cache_optimization, each served for real
 * (the demo fleet's {@code common/demo_runtime.py}, real processes, real HTTP) before and after every pattern runs on it;
 * no rewrite may change an answer, and each file is rewritten by exactly the patterns it was written for.
 */
class WorkCorpusTest {

    @TempDir
    static Path root;

    static final String PYTHON = CorpusTest.pythonForTests();
    static PythonOptimizer optimizer;
    static final AgentRuns RUNS = new AgentRuns(Duration.ofSeconds(60));

    @BeforeAll
    static void setUp() throws IOException {
        new DemoFleet().install(root.resolve("demo"), false);
        Files.createDirectories(root.resolve("work"));
        Files.move(root.resolve("demo/common"), root.resolve("common"));
        for (String name : List.of("w1_model.py", "w2_init_class.py", "w3_two_loads.py", "w4_read_at_import.py", "w5_pure_cache.py",
                "w6_unhashable.py", "w7_impure.py")) {
            try (InputStream in = WorkCorpusTest.class.getResourceAsStream("/io/fleetshell/corpus/work/" + name)) {
                Files.write(root.resolve("work").resolve(name), in.readAllBytes());
            }
        }
        optimizer = new PythonOptimizer(new PythonFacts(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, null);
    }

    private static Agent agent(String name, List<String> requests) {
        Path script = root.resolve("work").resolve(name);
        return new Agent(new AgentId("corpus", name), "corpus", "work/" + name, new ScriptResolution(ScriptResolution.Status.FOUND, script,
                "at " + name), null, null, null, false, List.of(), Map.of("replay_requests", requests), null, false,
                root.resolve("config.yaml"), 1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "w1_model.py         | async_initialization | /run?x=7 /run?x=199999 /run?x=7",
            "w2_init_class.py    | async_initialization | /run?x=k12 /run?x=nope",
            "w3_two_loads.py     | async_initialization | /run?x=3 /run?x=9",
            "w4_read_at_import.py| -                    | /run?x=1",
            "w5_pure_cache.py    | cache_optimization   | /run?x=ab /run?x=cd /run?x=ab /run?x=ab /run?x=cd",
            "w6_unhashable.py    | cache_optimization   | /run?x=30 /run?x=40 /run?x=30 /run?x=30",
            "w7_impure.py        | -                    | /run?x=a /run?x=a /run?x=b"})
    void everyRewriteAnswersAsTheOriginalOverRealHttp(String name, String patterns, String requests) throws IOException {
        List<String> replay = Arrays.asList(requests.split(" "));
        Agent agent = agent(name, replay);
        Machine machine = new Machine("corpus", root, PYTHON, Map.of(), Map.of());
        Optimization result = optimizer.optimize(agent, machine, PythonPatterns.all());
        List<String> expected = patterns.equals("-") ? List.of() : List.of(patterns);
        List<String> changedBy = result.rewrite().changes() ? Arrays.asList(result.rewrite().pattern().split("\\+")) : List.of();
        assertThat(changedBy.stream().filter(p -> p.equals(InitializeInBackground.ID) || p.equals(MemoizePureFunctions.ID)))
                .as("%s: %s", name, result.rewrite().notes()).containsExactlyElementsOf(expected);
        Path rewritten = root.resolve("work").resolve("." + name + ".rewritten.py");
        Files.write(rewritten, result.rewrite().after());
        ProfileTarget target = new ProfileTarget(agent.id(), agent.script().path(), PYTHON, root, Map.of());
        AgentRuns.Run before = RUNS.run(target, agent.script().path(), replay, List.of());
        AgentRuns.Run after = RUNS.run(target, rewritten, replay, List.of());
        assertThat(before.failure()).isNull();
        assertThat(after.failure()).isNull();
        assertThat(after.answers()).as(name).isEqualTo(before.answers());
        assertThat(before.answers()).extracting(AgentRuns.Answer::status).contains(200);
    }

    @Test
    void aConfigErrorInTheMovedWorkStillEndsTheAgentWithItsTracebackAndStatus1() throws IOException {
        Agent agent = agent("w2_init_class.py", List.of("/run?x=k1"));
        Optimization result = optimizer.optimize(agent, new Machine("corpus", root, PYTHON, Map.of(), Map.of()), PythonPatterns.all());
        Path rewritten = root.resolve("work").resolve(".w2_bad_config.py");
        Files.write(rewritten, result.rewrite().after());
        for (Path script : List.of(agent.script().path(), rewritten)) {
            ProcessResult run = ProcessRun.of(PYTHON, script.toString(), "--port", "0", "--health-port", "0").in(root)
                    .environment("W2_LIMIT", "lots").timeout(Duration.ofSeconds(60)).runOrFail("the corpus agent");
            assertThat(run.exitStatus()).as(script + ": " + run.stderr()).isEqualTo(1);
            assertThat(run.stderr()).contains("ValueError: W2_LIMIT must be a number, not 'lots'", "in __init__");
        }
    }
}
