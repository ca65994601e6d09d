package io.fleetshell.engine.optimize;

import io.fleetshell.engine.InParallel;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.Prover;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The corpus: 32 agent files written for these tests, mixing every import form and trap. Over each, both
 * patterns run and the rewrite must compile, add no undefined name, load, keep the module's names (less
 * the dead imports it removes), and answer {@code answer()} exactly as the original does. Load time is not
 * measured here (many corpus files have nothing heavy to defer); the demo-fleet tests measure it.
 */
class CorpusTest {

    @TempDir
    static Path root;

    static final String PYTHON = pythonForTests();
    static PythonOptimizer optimizer;
    static Prover prover;

    static String pythonForTests() {
        String configured = System.getProperty("fleetshell.test.python");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    static List<String> corpus() {
        return IntStream.range(0, 32).mapToObj("agent_%02d.py"::formatted).toList();
    }

    @BeforeAll
    static void setUp() throws IOException {
        for (String name : corpus()) {
            try (InputStream in = CorpusTest.class.getResourceAsStream("/io/fleetshell/corpus/" + name)) {
                Files.write(root.resolve(name), in.readAllBytes());
            }
        }
        optimizer = new PythonOptimizer(new PythonFacts(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, null);
        prover = new Prover(new Prover.Settings(0, 0.05, Duration.ofSeconds(60), Duration.ofSeconds(60)), root.resolve(".pycache"));
    }

    /** The files two at a time (each check is a few short interpreter processes); every file's failures are reported. */
    @Test
    void everyRewriteCompilesAddsNoUndefinedNameLoadsKeepsItsNamesAndAnswersAsBefore() {
        List<String> failures = InParallel.map(corpus(), 2, name -> {
            try {
                check(name);
                return "";
            } catch (AssertionError | IOException | RuntimeException e) {
                return name + ": " + e.getMessage();
            }
        }, "corpus").stream().filter(f -> !f.isEmpty()).toList();
        assertThat(failures).isEmpty();
    }

    private void check(String name) throws IOException {
        Path script = root.resolve(name);
        AgentId id = new AgentId("corpus", name);
        Agent agent = new Agent(id, "corpus", name, new ScriptResolution(ScriptResolution.Status.FOUND, script, "at " + name),
                null, null, null, false, List.of(), Map.of(), null, false, root.resolve("config.yaml"), 1);
        Machine machine = new Machine("corpus", root, PYTHON, Map.of(), Map.of());
        Optimization result = optimizer.optimize(agent, machine, PythonPatterns.all());
        if (!result.rewrite().changes()) {
            assertThat(result.applicability().values()).noneMatch(a -> a.applies());
            return;
        }
        Proof proof = prover.prove(new Prover.Subject(new ProfileTarget(id, script, PYTHON, root, Map.of()), result.rewrite(),
                result.deferredNames(), result.removedNames(), null));
        for (String check : List.of("compiles", "no new undefined name", "loads", "same module names", "same loaded state")) {
            assertThat(proof.checks()).as("%s: %s", name, check)
                    .anyMatch(c -> c.name().equals(check) && c.outcome() == ProofCheck.Outcome.PASSED);
        }
        Path rewritten = root.resolve("rewritten").resolve(name);
        Files.createDirectories(rewritten.getParent());
        Files.write(rewritten, result.rewrite().after());
        assertThat(answer(rewritten)).as("%s answers as before", name).isEqualTo(answer(script));
    }

    private static String answer(Path file) {
        ProcessResult run = ProcessRun.of(PYTHON, "-c", """
                import importlib.util, json, sys
                spec = importlib.util.spec_from_file_location("corpus_agent", sys.argv[1])
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                print(json.dumps(module.answer(), default=repr))
                """, file.toString()).in(root).timeout(Duration.ofSeconds(60)).runOrFail("the corpus agent");
        assertThat(run.exitStatus()).as(run.stderr()).isZero();
        return run.stdout();
    }
}
