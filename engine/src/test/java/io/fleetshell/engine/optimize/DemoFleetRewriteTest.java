package io.fleetshell.engine.optimize;

import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.python.pattern.PythonPatterns;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.python.Prover;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The demo fleet, rewritten by both patterns: each agent started before and after the rewrite answers
 * {@code /health} and its sample request identically (real processes, real HTTP); the trap agents keep
 * their trapped imports eager with the reason in the diff; the syntax-error and infrastructure agents are
 * refused; and the proof of a rewrite with a large gain passes, load time included.
 */
class DemoFleetRewriteTest {

    @TempDir
    static Path dir;

    static final String PYTHON = CorpusTest.pythonForTests();
    static final Map<String, String> SAMPLE = new LinkedHashMap<>();
    static Map<String, Agent> agents = new LinkedHashMap<>();
    static Map<String, Machine> machines = new LinkedHashMap<>();
    static Path original;
    static Path rewritten;
    static PythonOptimizer optimizer;

    static {
        SAMPLE.put("SystemDigitalTwin", "x=12.5&steps=4");
        SAMPLE.put("MemoryOrchestrator", "x=greeting");
        SAMPLE.put("ModelManagerAgent", "x=chat");
        SAMPLE.put("TutorAgent", "x=arithmetic&answer=5+41");
        SAMPLE.put("TranslationService", "x=helo+wrld+good+morning");
        SAMPLE.put("AsyncProcessor", "x=12");
        SAMPLE.put("CacheManager", "x=session-42");
        SAMPLE.put("UnifiedWebAgent", "x=Fleet+Status");
        SAMPLE.put("DreamWorldAgent", "x=7");
    }

    @BeforeAll
    static void install() {
        original = new DemoFleet().install(dir.resolve("original"), false).dir();
        rewritten = new DemoFleet().install(dir.resolve("rewritten"), false).dir();
        InventoryLoader loader = new InventoryLoader(Map.of("PORT_OFFSET", "30000"), InventoryLoader.DEFAULT_INFRASTRUCTURE);
        for (var source : DemoFleet.configs(original)) {
            LoadedConfig config = loader.load(source);
            Machine machine = new Machine(config.machine().name(), config.machine().fleetRoot(), PYTHON,
                    config.machine().environment(), config.machine().healthCheck());
            for (Agent agent : config.agents()) {
                agents.put(agent.name(), agent);
                machines.put(agent.name(), machine);
            }
        }
        optimizer = new PythonOptimizer(new PythonFacts(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, null);
    }

    private static Optimization optimize(String name) {
        return optimizer.optimize(agents.get(name), machines.get(name), PythonPatterns.all());
    }

    @Test
    void everyRewrittenAgentAnswersHealthAndItsSampleRequestAsBefore() throws Exception {
        for (Map.Entry<String, String> sample : SAMPLE.entrySet()) {
            String name = sample.getKey();
            Agent agent = agents.get(name);
            Optimization result = optimize(name);
            Path script = agent.script().path();
            Path copy = rewritten.resolve(original.relativize(script));
            Files.write(copy, result.rewrite().after());
            List<String> before = serve(script, sample.getValue());
            List<String> after = serve(copy, sample.getValue());
            assertThat(after).as("%s answers as before", name).isEqualTo(before);
        }
    }

    @Test
    void trapAgentsKeepTheirTrappedImportsEagerWithTheReasonInTheDiff() {
        assertThat(optimize("ModelManagerAgent").rewrite().unifiedDiff())
                .contains("+#   kept eager: `import dataclasses` (line 4): line 21 uses it while the module loads (decorator), rule 1")
                .contains("+#   kept eager: `import ssl` (line 6): line 45 uses it while the module loads (default argument), rule 1")
                .contains("+#   deferred: `import urllib.request` (line 8)")
                .contains("+cf = _fleetshell_lazy(\"concurrent.futures\", \"concurrent.futures\")");
        assertThat(optimize("SystemDigitalTwin").rewrite().unifiedDiff())
                .contains("`import asyncio` (line 3): line 22 uses it while the module loads (base class)")
                .contains("`import decimal` (line 4): line 18 uses it while the module loads (module-level statement)");
        assertThat(optimize("TutorAgent").rewrite().unifiedDiff())
                .contains("-import smtplib\n")
                .contains("`import doctest` (line 4): line 46 uses it while the module loads (called at module level via _load_lessons() -> _parse_examples())")
                .doesNotContain("-import pprint").doesNotContain("-from statistics import median");
        assertThat(optimize("MemoryOrchestrator").rewrite().unifiedDiff())
                .contains("`import tomllib` (line 12): it is inside a try statement handling ImportError")
                .contains("`import encodings.idna` (line 4): `encodings.idna` is imported for its side effects");
        assertThat(optimize("AsyncProcessor").rewrite().unifiedDiff())
                .contains("-import socketserver\n").contains("+ssl = _fleetshell_lazy(\"ssl\", \"ssl\")");
        assertThat(optimize("UnifiedWebAgent").rewrite().unifiedDiff()).contains("`import html.parser` (line 4): line 27 uses it");
        assertThat(optimize("DreamWorldAgent").rewrite().unifiedDiff()).contains("`import xmlrpc.server` (line 9): line 28 uses it");
        assertThat(optimize("TranslationService").rewrite().unifiedDiff())
                .contains("`import difflib` (line 3): line 31 uses it while the module loads (default argument)")
                .contains("+client = _fleetshell_lazy(\"xmlrpc.client\", \"xmlrpc.client\")");
        assertThat(optimize("CacheManager").rewrite().unifiedDiff()).contains("`import lzma as codec` (line 11): it is inside a try statement");
    }

    @Test
    void theSyntaxErrorAgentIsRefusedWithItsLineAndTheInfrastructureAgentWithTheWayOut() {
        assertThatThrownBy(() -> optimize("LearningAdjusterAgent")).isInstanceOf(FleetshellException.class)
                .hasMessageContaining("learning_adjuster_agent.py:23: syntax error at line 23").hasMessageContaining("nothing was changed");
        assertThatThrownBy(() -> optimize("ObservabilityHub")).isInstanceOf(FleetshellException.class)
                .hasMessageContaining("infrastructure agent").hasMessageContaining("infrastructure_agents");
    }

    @Test
    void theProofOfALargeGainPassesEveryCheckWithMeasuredFigures() {
        Optimization result = optimize("AsyncProcessor");
        Agent agent = agents.get("AsyncProcessor");
        Machine machine = machines.get("AsyncProcessor");
        Prover prover = new Prover(new Prover.Settings(5, 0.05, Duration.ofSeconds(60), Duration.ofSeconds(60)), dir.resolve("pycache"));
        Proof proof = prover.prove(new Prover.Subject(new ProfileTarget(agent.id(), agent.script().path(), PYTHON, machine.fleetRoot(),
                machine.environment()), result.rewrite(), result.deferredNames(), result.removedNames(), "{python} -c pass".replace("{python}", PYTHON)));
        assertThat(proof.checks()).extracting(ProofCheck::name)
                .containsExactly("compiles", "no new undefined name", "loads", "same module names", "same loaded state", "load time", "agent tests");
        assertThat(proof.deployable()).as(proof.toString()).isTrue();
        ProofCheck loadTime = proof.checks().get(5);
        assertThat((Double) loadTime.evidence().get("after_median_ms")).isLessThan((Double) loadTime.evidence().get("before_median_ms"));
        assertThat(loadTime.evidence()).containsKeys("before_ms", "after_ms", "p", "u", "first_use_ms");
        @SuppressWarnings("unchecked")
        Map<String, Object> firstUse = (Map<String, Object>) loadTime.evidence().get("first_use_ms");
        assertThat(firstUse).containsKeys("asyncio", "xmlrpc.client", "logging.handlers");
        assertThat((Double) firstUse.get("asyncio")).isGreaterThan(1.0);
    }

    @Test
    void aFailingAgentTestMakesTheRewriteNotDeployable() {
        Optimization result = optimize("CacheManager");
        Agent agent = agents.get("CacheManager");
        Machine machine = machines.get("CacheManager");
        Prover prover = new Prover(new Prover.Settings(0, 0.05, Duration.ofSeconds(60), Duration.ofSeconds(60)), dir.resolve("pycache"));
        Proof proof = prover.prove(new Prover.Subject(new ProfileTarget(agent.id(), agent.script().path(), PYTHON, machine.fleetRoot(),
                machine.environment()), result.rewrite(), result.deferredNames(), result.removedNames(),
                "grep -q _fleetshell_lazy {script} && exit 3"));
        assertThat(proof.deployable()).isFalse();
        assertThat(proof.firstFailure().orElseThrow().detail()).contains("fails on the rewrite with exit status 3");
    }

    /** Starts the agent on free ports, asks /run and /health, stops it; /health without its per-process values. */
    private static List<String> serve(Path script, String query) throws Exception {
        int port = Ports.free();
        int healthPort = Ports.free();
        Process process = new ProcessBuilder(PYTHON, script.toString(), "--port", String.valueOf(port), "--health-port", String.valueOf(healthPort))
                .redirectErrorStream(true).start();
        try {
            Await.line(process, " ready ", Duration.ofSeconds(60));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            List<String> answers = new ArrayList<>();
            answers.add(get(http, "http://127.0.0.1:%d/run?%s".formatted(port, query)));
            String health = get(http, "http://127.0.0.1:%d/health".formatted(healthPort));
            answers.add(health.replaceAll("\"(pid|uptime_seconds)\": [0-9.e-]+", "\"$1\": _").replaceAll("\"(port|health_port)\": [0-9]+", "\"$1\": _"));
            return answers;
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static String get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
