package io.fleetshell.scripts;

import com.sun.net.httpserver.HttpServer;
import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs each shipped playbook from this directory through the real shell against a small real fleet on
 * two machines (Python scripts whose imports lazy_loading can defer, one real HTTP health endpoint),
 * with real deploys, proofs, backups and rollbacks in a fresh home.
 */
class ShippedPlaybooksTest {

    /**
     * Deferrable imports, used only inside the function: asyncio alone costs tens of milliseconds, so the
     * rewrite's load-time proof sees the drop in every one of its few runs.
     */
    private static final String AGENT = "import asyncio\nimport json\n\n\ndef handle(text):\n"
            + "    return json.dumps(asyncio.run(asyncio.sleep(0, result=text)))\n";
    /** The fewest loads per version with which the load-time proof can decide: the tests' deploys stay short. */
    private static final String PROOF_RUNS = "proofRuns=4";

    @TempDir
    Path home;
    @TempDir
    Path fleet;

    private final JsonMapper json = JsonMapper.builder().build();
    private Shell shell;

    @BeforeEach
    void loadFleet() throws IOException {
        shell = new Shell(home);
    }

    /**
     * mainpc: Alpha, Beta, Gamma; pc2: Delta, Epsilon. Health ports are free ports nothing answers on,
     * except {@code healthyPort} (Alpha's) when given; {@code failingTest} names the agent whose
     * test_command fails (its proof fails, so the rollout engine restores it).
     */
    private void writeFleet(int healthyPort, String failingTest) throws IOException {
        StringBuilder mainpc = new StringBuilder("agent_groups:\n  core:\n");
        for (String name : List.of("Alpha", "Beta", "Gamma")) {
            Files.createDirectories(fleet.resolve("main_pc_code/agents"));
            Files.writeString(fleet.resolve("main_pc_code/agents/" + name.toLowerCase() + ".py"), AGENT);
            int port = name.equals("Alpha") && healthyPort > 0 ? healthyPort : Ports.free();
            mainpc.append("    %s:\n      script_path: main_pc_code/agents/%s.py\n      health_check_port: %d\n      test_command: %s\n"
                    .formatted(name, name.toLowerCase(), port, name.equals(failingTest) ? "'false'" : "'true'"));
        }
        Files.createDirectories(fleet.resolve("main_pc_code/config"));
        Files.writeString(fleet.resolve("main_pc_code/config/startup_config.yaml"), mainpc);
        StringBuilder pc2 = new StringBuilder("pc2_services:\n");
        for (String name : List.of("Delta", "Epsilon")) {
            Files.createDirectories(fleet.resolve("pc2_code/agents"));
            Files.writeString(fleet.resolve("pc2_code/agents/" + name.toLowerCase() + ".py"), AGENT);
            pc2.append("  - name: %s\n    script_path: pc2_code/agents/%s.py\n    health_check_port: %d\n    test_command: %s\n"
                    .formatted(name, name.toLowerCase(), Ports.free(), name.equals(failingTest) ? "'false'" : "'true'"));
        }
        Files.createDirectories(fleet.resolve("pc2_code/config"));
        Files.writeString(fleet.resolve("pc2_code/config/startup_config.yaml"), pc2);
        Shell.Run load = shell.run("inventory", "load", fleet.resolve("main_pc_code/config/startup_config.yaml").toString(),
                fleet.resolve("pc2_code/config/startup_config.yaml").toString());
        assertThat(load.status()).as(load.err()).isZero();
    }

    private boolean rewritten(String relative) throws IOException {
        return !Files.readString(fleet.resolve(relative)).equals(AGENT);
    }

    private JsonNode summary(Shell.Run run) {
        return json.readTree(run.out());
    }

    /** The data of each deploy batch the run journaled. */
    private static List<JsonNode> actions(JsonNode summary) {
        return summary.get("journal").valueStream().filter(e -> e.get("kind").asString().equals("action")
                && e.get("data") != null && e.get("data").has("agents")).map(e -> e.get("data")).toList();
    }

    private static List<String> decisions(JsonNode summary) {
        return summary.get("journal").valueStream().filter(e -> e.get("kind").asString().equals("decision"))
                .map(e -> e.get("text").asString()).toList();
    }

    @Test
    void canaryDeploysOneAgentThenFiveThenAFifthAndStopsAtAFailure() throws IOException {
        writeFleet(0, "Delta");
        Shell.Run run = shell.run("playbook", "run", "canary.js", "--param", "interval=0s", "--param", PROOF_RUNS, "--json");
        JsonNode summary = summary(run);
        // 5 candidates: batch of 1, then of 5 (the 4 left); Delta's proof fails in batch 2, so the canary stops.
        assertThat(run.status()).as(run.err()).isEqualTo(1);
        assertThat(summary.get("outcome").asString()).isEqualTo("stopped");
        assertThat(decisions(summary)).containsExactly("batchSize(0) = 1", "shouldContinue(batch 1: completed) = true",
                "batchSize(1) = 5 (4 left)");
        assertThat(summary.get("message").asString()).contains("canary.js:26: deployment ", "stopped at batch 2");
        assertThat(rewritten("pc2_code/agents/delta.py")).as("the engine restored Delta").isFalse();
        long changed = 0;
        for (String f : List.of("main_pc_code/agents/alpha.py", "main_pc_code/agents/beta.py", "main_pc_code/agents/gamma.py",
                "pc2_code/agents/epsilon.py")) {
            changed += rewritten(f) ? 1 : 0;
        }
        assertThat(changed).as("the first batch stays applied").isPositive();
        // One deployment whose batches the policy cut as they started: 1 agent, then the 4 left.
        List<JsonNode> batches = actions(summary);
        assertThat(batches).extracting(b -> b.get("deployment").asLong()).containsOnly(batches.getFirst().get("deployment").asLong());
        assertThat(batches).extracting(b -> b.get("agents").size()).containsExactly(1, 4);
    }

    @Test
    void aPlaybookRolloutIsOneDeploymentAndRollbackAllUndoesItsEarlierBatches() throws IOException {
        writeFleet(0, "Gamma");
        Path playbook = home.resolve("pairs-then-one.js");
        Files.writeString(playbook, """
                fleet.deploy(fleet.inventory({machine: 'mainpc'}), {pattern: 'lazy_loading', proofRuns: 4, interval: '0s',
                    onFail: 'rollback-all', batchSize: (index, history) => index === 0 ? 2 : 1});
                """);
        Shell.Run run = shell.run("playbook", "run", playbook.toString(), "--json");
        assertThat(run.status()).as(run.err()).isEqualTo(1);
        JsonNode summary = summary(run);
        assertThat(decisions(summary)).containsExactly("batchSize(0) = 2", "batchSize(1) = 1");
        List<JsonNode> batches = actions(summary);
        long deployment = batches.getFirst().get("deployment").asLong();
        assertThat(batches).extracting(b -> b.get("deployment").asLong()).containsOnly(deployment);
        assertThat(batches).extracting(b -> b.get("agents").size()).containsExactly(2, 1);
        assertThat(summary.get("message").asString()).contains("deployment %d rolled back: stopped at batch 2".formatted(deployment),
                "every change was rolled back (--on-fail rollback-all)");
        for (String f : List.of("main_pc_code/agents/alpha.py", "main_pc_code/agents/beta.py", "main_pc_code/agents/gamma.py")) {
            assertThat(rewritten(f)).as(f + ": batch 1 was rolled back with batch 2").isFalse();
        }
    }

    @Test
    void perMachineRollsOutMainpcThenPc2() throws IOException {
        writeFleet(0, null);
        Shell.Run run = shell.run("playbook", "run", "per-machine.js", "--param", "interval=0s", "--dry-run", "--json");
        assertThat(run.status()).as(run.err()).isZero();
        List<String> actions = summary(run).get("journal").valueStream().filter(e -> e.get("kind").asString().equals("action"))
                .map(e -> e.get("text").asString()).toList();
        assertThat(actions).containsExactly(
                "dry run: batch 1 would deploy lazy_loading to mainpc/Alpha, mainpc/Beta",
                "dry run: batch 2 would deploy lazy_loading to mainpc/Gamma",
                "dry run: batch 1 would deploy lazy_loading to pc2/Delta",
                "dry run: batch 2 would deploy lazy_loading to pc2/Epsilon");
        assertThat(rewritten("main_pc_code/agents/alpha.py")).as("a dry run writes nothing").isFalse();
        assertThat(run.err()).contains("mainpc: 0 of 3 applied in 2 batches", "pc2: 0 of 2 applied in 2 batches");
    }

    @Test
    void nightlyReportProfilesAsksHealthChangesNothingAndFailsBelowTheThreshold() throws IOException {
        HttpServer health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        health.createContext("/health", exchange -> {
            byte[] body = "{\"status\": \"ok\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        health.start();
        try {
            writeFleet(health.getAddress().getPort(), null);
            Shell.Run low = shell.run("playbook", "run", "nightly-report.js", "--param", "runs=1");
            assertThat(low.status()).as(low.err()).isEqualTo(1);
            assertThat(low.out()).contains("mainpc/Alpha: load ", "baseline v1; health: ok", "pc2/Delta: load ",
                    "health: 1 of 5 agents healthy (20%, threshold 90%)");
            assertThat(low.err()).contains("only 1 of 5 agents are healthy, below the threshold of 0.9");

            Shell.Run ok = shell.run("playbook", "run", "nightly-report.js", "--param", "runs=1", "--param", "threshold=0.2");
            assertThat(ok.status()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("baseline v2");
        } finally {
            health.stop(0);
        }
        assertThat(rewritten("main_pc_code/agents/alpha.py")).isFalse();
        assertThat(shell.run("baseline", "list", "--json").out()).contains("mainpc/Alpha", "pc2/Epsilon");
    }

    @Test
    void freezeOnRegressionLeavesAppliedBatchesAndWaitsForAPerson() throws IOException {
        writeFleet(0, "Gamma");
        Shell.Run run = shell.run("playbook", "run", "freeze-on-regression.js", "--param", "interval=0s",
                "--param", "machine=mainpc", "--param", PROOF_RUNS, "--json");
        assertThat(run.status()).as(run.err()).isEqualTo(1);
        JsonNode summary = summary(run);
        assertThat(summary.get("message").asString()).contains("frozen on a regression: batch 2: mainpc/Gamma rolled back",
                "Applied batches stay in place");
        assertThat(rewritten("main_pc_code/agents/alpha.py")).isTrue();
        assertThat(rewritten("main_pc_code/agents/beta.py")).isTrue();
        assertThat(rewritten("main_pc_code/agents/gamma.py")).as("the failed step was restored").isFalse();
        assertThat(decisions(summary)).first().isEqualTo("shouldContinue(batch 1: completed) = true");
        assertThat(decisions(summary)).last().asString().startsWith("stop: frozen on a regression: batch 2: mainpc/Gamma rolled back");

        // The canary's policy against what the frozen rollout recorded, every action simulated, nothing written.
        // Alpha and Beta hold their rewrites now, so the canary leaves them out with the reason; its first batch
        // is Gamma, which the frozen deployment rolled back, so the simulated canary stops there.
        long frozen = summary.get("journal").valueStream().filter(e -> e.get("kind").asString().equals("action"))
                .reduce((a, b) -> b).orElseThrow().get("data").get("deployment").asLong();
        String before = Files.readString(fleet.resolve("main_pc_code/agents/alpha.py"));
        Shell.Run simulated = shell.run("playbook", "simulate", "canary.js", "--from-deployment", String.valueOf(frozen));
        assertThat(simulated.status()).as(simulated.err()).isEqualTo(1);
        assertThat(simulated.out()).contains("left out mainpc/Alpha: nothing-to-gain", "left out mainpc/Beta: nothing-to-gain",
                "[canary.js:26] batchSize(0) = 1",
                "[canary.js:26] simulation: batch 1: simulated from deployment %d: mainpc/Gamma rolled back".formatted(frozen),
                "left out pc2/Delta: not part of deployment %d".formatted(frozen));
        assertThat(simulated.err()).contains("canary.js:26: deployment %d stopped at batch 1".formatted(frozen));
        assertThat(Files.readString(fleet.resolve("main_pc_code/agents/alpha.py"))).isEqualTo(before);
        assertThat(rewritten("main_pc_code/agents/gamma.py")).isFalse();
        assertThat(shell.run("playbook", "runs").out()).contains("simulate");
    }
}
