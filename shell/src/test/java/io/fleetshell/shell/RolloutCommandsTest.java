package io.fleetshell.shell;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.rollout.BatchSpec;
import io.fleetshell.engine.rollout.DeploymentJournal;
import io.fleetshell.engine.rollout.LockHolder;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.PlanStep;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.history.HistoryDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * batch deploy, rollback, explain and deploy status|unlock in the real shell on the demo fleet, with real
 * proofs under python3: a rewrite that compiles but fails the agent's own test_command is rolled back at
 * once and the rollout stops per --on-fail; a deployment that applies is rolled back byte-exact; a lock
 * left by a dead process is named with the way out.
 */
class RolloutCommandsTest {

    /** The health ports of the demo fleet move into this helper's range, so no other fleet on this host answers. */
    private static final String PORTS = "${FLEETSHELL_ROLLOUT_TEST_OFFSET:-40000}+";

    @TempDir
    Path home;

    private ShellHarness shell;
    private final Map<String, String> originals = new LinkedHashMap<>();

    @BeforeEach
    void demoFleetWithATestCommand() throws Exception {
        shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        Path pc2 = home.resolve("demo/pc2_code/config/startup_config.yaml");
        // TranslationService's own test needs xmlrpc.client loaded with the module: lazy_loading defers it, so the
        // rewrite compiles, loads and is faster, and still fails this test.
        Files.writeString(pc2, Files.readString(pc2).replace("${PORT_OFFSET}+", PORTS).replace("    config: {default_pair: en-de, analysis: {request: \"GET /run\", rate: 10/s}}\n",
                "    config: {default_pair: en-de, analysis: {request: \"GET /run\", rate: 10/s}}\n    test_command: python3 -c \"import sys; sys.path.insert(0, 'pc2_code/agents'); "
                        + "import translation_service; assert type(sys.modules['xmlrpc.client']) is type(sys), 'xmlrpc.client is not loaded'\"\n"));
        Path mainpc = home.resolve("demo/main_pc_code/config/startup_config.yaml");
        Files.writeString(mainpc, Files.readString(mainpc).replace("${PORT_OFFSET}+", PORTS));
        assertThat(shell.oneShot("inventory", "refresh").status()).isZero();
        for (String agent : List.of("pc2_code/agents/async_processor.py", "pc2_code/agents/translation_service.py",
                "pc2_code/agents/unified_web_agent.py")) {
            originals.put(agent, Checksums.sha256(home.resolve("demo").resolve(agent)));
        }
    }

    @Test
    void aFailingTestCommandRollsTheStepAndItsBatchBackThenADeploymentAppliesAndRollsBackByteExact() throws Exception {
        ShellHarness.Run dryRun = shell.oneShot("batch", "deploy", "--agents", "AsyncProcessor,TranslationService", "--dry-run");
        assertThat(dryRun.status()).as(dryRun.err()).isZero();
        assertThat(dryRun.out()).contains("Plan: 2 agents in 1 batch (2)", "pc2/AsyncProcessor", "lazy_loading");
        assertThat(dryRun.err()).contains("Dry run: nothing was changed");
        assertThat(shell.oneShot("batch", "deploy", "--agents", "AsyncProcessor").err())
                .contains("confirm with --yes");

        ShellHarness.Run failed = shell.oneShot("batch", "deploy", "--agents", "AsyncProcessor,TranslationService",
                "--batch-size", "2", "--interval", "1s", "--runs", "7", "--yes");

        assertThat(failed.status()).as(failed.err()).isEqualTo(1);
        assertThat(failed.err()).contains("batch 1/1", "1.1.2 pc2/TranslationService  rolled back: proof failed: test_command")
                .contains("deployment 1 stopped at batch 1: failed 1/2 = 50.0% > --max-fail 0.0%")
                .doesNotContain("stopped: stopped");
        assertOriginal("pc2_code/agents/async_processor.py", "pc2_code/agents/translation_service.py");

        ShellHarness.Run explained = shell.oneShot("explain", "1.1.2");
        assertThat(explained.status()).as(explained.err()).isZero();
        assertThat(explained.out()).startsWith("deployment 1: stopped, started ")
                .contains("2 steps: ", "decisions: ", "proof load time: PASS: ", "proof test_command: FAIL: ",
                "xmlrpc.client is not loaded", "batch gate max-fail: FAIL", "failed 1/2 = 50.0% > --max-fail 0.0%", "intent  write",
                "outcome restored", "backup (deploy): sha256 " + originals.get("pc2_code/agents/translation_service.py"));

        ShellHarness.Run applied = shell.oneShot("batch", "deploy", "--agents", "AsyncProcessor,UnifiedWebAgent",
                "--batch-size", "1", "--interval", "1s", "--runs", "7", "--yes", "--json");
        assertThat(applied.status()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("\"state\" : \"completed\"");
        assertThat(applied.err()).contains("next: batch 2 in 1 s", "[##########----------] 1/2", "not running: not restarted, not gated");
        assertThat(Checksums.sha256(home.resolve("demo/pc2_code/agents/async_processor.py")))
                .isNotEqualTo(originals.get("pc2_code/agents/async_processor.py"));

        ShellHarness.Run status = shell.oneShot("deploy", "status");
        assertThat(status.out()).contains("stopped", "completed", "2/2");
        assertThat(status.err()).contains("The fleet is not locked.");

        try (var context = shell.context()) {
            io.fleetshell.shell.cli.FleetCompleter completer = context.getBean(io.fleetshell.shell.cli.FleetCompleter.class);
            assertThat(values(completer.proposals(List.of("rollback"), ""))).contains("AsyncProcessor", "UnifiedWebAgent")
                    .doesNotContain("TranslationService", "TutorAgent");
            assertThat(completer.proposals(List.of("rollback"), "Async")).singleElement()
                    .satisfies(c -> assertThat(c.descr()).startsWith("deployment 2, ").endsWith("lazy_loading"));
            assertThat(values(completer.proposals(List.of("rollback", "--deployment"), ""))).containsExactly("2", "1");
            // issue 18: deployment 1 was rolled back by its batch gate: offered last, marked
            assertThat(completer.proposals(List.of("rollback", "--deployment"), "")).extracting(c -> c.descr())
                    .satisfiesExactly(d -> assertThat(d).endsWith("2 changes to roll back"),
                            d -> assertThat(d).startsWith("(nothing to roll back) "));
            assertThat(values(completer.proposals(List.of("rollback", "--batch"), ""))).containsExactly("2.1", "2.2");
        }

        ShellHarness.Run rollback = shell.oneShot("rollback", "--deployment", "2", "--yes");
        assertThat(rollback.status()).as(rollback.err()).isZero();
        assertThat(rollback.out()).contains("2.1.1 pc2/AsyncProcessor: restored", "sha256 " + originals.get("pc2_code/agents/async_processor.py")
                + " verified", "health: not running");
        assertOriginal("pc2_code/agents/async_processor.py", "pc2_code/agents/unified_web_agent.py");
        assertThat(shell.oneShot("rollback", "AsyncProcessor").err()).contains("no change left to roll back");
    }

    @Test
    void aLockLeftByADeadProcessNamesTheWayOutAndDeployUnlockBreaksIt() throws Exception {
        try (HistoryDatabase db = HistoryDatabase.open(home.resolve("history.db"))) {
            new DeploymentStore(db).lock(new LockHolder(null, "rollback", 999_999_999L, "gone", hostName(),
                    Instant.parse("2026-11-24T03:00:00Z")));
        }
        ShellHarness.Run locked = shell.oneShot("batch", "deploy", "--agents", "AsyncProcessor", "--yes");
        assertThat(locked.status()).isEqualTo(1);
        assertThat(locked.err()).contains("fleet locked by rollback, started 2026-11-24 03:00:00 UTC by pid 999999999 on host " + hostName(),
                "That process is gone: deploy recover", "Nothing was changed.");
        ShellHarness.Run unlock = shell.oneShot("deploy", "unlock");
        assertThat(unlock.status()).as(unlock.err()).isZero();
        assertThat(shell.oneShot("deploy", "status").err()).contains("The fleet is not locked.");
    }

    @Test
    void theShellOffersToRecoverAnInterruptedDeploymentAtStart() throws Exception {
        Path script = home.resolve("demo/pc2_code/agents/async_processor.py");
        byte[] original = Files.readAllBytes(script);
        byte[] rewritten = (new String(original, java.nio.charset.StandardCharsets.UTF_8) + "# rewritten\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (HistoryDatabase db = HistoryDatabase.open(home.resolve("history.db"))) {
            DeploymentStore store = new DeploymentStore(db);
            Plan plan = new Plan("lazy_loading", List.of(new PlanStep(1, 1, new AgentId("pc2", "AsyncProcessor"), script, "lazy_loading",
                    Checksums.sha256(original), new Rewrite("lazy_loading", script, original, rewritten, List.of()), null, ProofHints.NONE)),
                    List.of(), new RolloutOptions(BatchSpec.parse("1"), Duration.ZERO, 0, OnFail.ROLLBACK_BATCH));
            // What a process killed right after its write leaves: the intent journaled, the rewrite on disk, the lock.
            long id = store.create(plan, plan.options().toMap(), new LockHolder(null, "deploy", 999_999_999L, "gone", hostName(), Instant.now()));
            store.beginWrite(store.steps(id).getFirst(), new DeploymentJournal.FileMeta(0644, Instant.now()));
            Files.write(script, rewritten);
        }

        ShellHarness.Run run = shell.interactive("y\nquit\n");

        assertThat(run.out()).contains("deployment 1 (lazy_loading, started", "by pid 999999999", "was interrupted",
                "Recover now with deploy recover", "deployment 1 recovered: 1 in-flight step restored",
                "1.1.1 pc2/AsyncProcessor: restored");
        assertThat(Files.readAllBytes(script)).isEqualTo(original);
        assertThat(shell.oneShot("deploy", "status").err()).contains("The fleet is not locked.");
        assertThat(shell.oneShot("explain", "1").out()).contains("rolled back: recovered: interrupted while writing");
    }

    private void assertOriginal(String... agents) {
        for (String agent : agents) {
            assertThat(Checksums.sha256(home.resolve("demo").resolve(agent))).as(agent).isEqualTo(originals.get(agent));
        }
    }

    private static List<String> values(List<org.jline.reader.Candidate> candidates) {
        return candidates.stream().map(org.jline.reader.Candidate::value).toList();
    }

    private static String hostName() throws Exception {
        return java.net.InetAddress.getLocalHost().getHostName();
    }
}
