package io.fleetshell.shell;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.ModuleChange;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StepProver;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.history.InventoryStore;
import io.fleetshell.history.HistoryDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rollback MODULE} in the real shell on the demo fleet: a deployment that rewrote the shared module
 * {@code common.demo_runtime} and created the helper beside it (deployed through the rollout's executor, as
 * {@code optimize MODULE} does) is listed as one step of two files by {@code deploy status} and {@code explain}, offered by
 * TAB after {@code rollback}, and rolled back byte-exact with the helper removed.
 */
class ModuleRollbackCommandsTest {

    @TempDir
    Path home;

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void rollbackModuleRestoresEveryFileOfItsStepAndRemovesTheHelper() throws Exception {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        Path module = home.resolve("demo/common/demo_runtime.py");
        Path helper = home.resolve("demo/common/_fleetshell_lazy.py");
        byte[] original = Files.readAllBytes(module);
        byte[] rewritten = (new String(original, StandardCharsets.UTF_8) + "# rewritten by lazy_loading\n").getBytes(StandardCharsets.UTF_8);
        deploy(module, helper, original, rewritten);
        assertThat(Files.readAllBytes(module)).isEqualTo(rewritten);
        assertThat(helper).exists();

        ShellHarness.Run status = shell.oneShot("deploy", "status", "1");
        assertThat(status.status()).as(status.err()).isZero();
        assertThat(status.out()).contains("common.demo_runtime", "1.1.1 common.demo_runtime: one step of 2 files; dependents (restarted and "
                + "gated together when running): pc2/AsyncProcessor, pc2/DreamWorldAgent", "creates  " + helper, "rewrites " + module);
        ShellHarness.Run explain = shell.oneShot("explain", "1.1.1");
        assertThat(explain.out()).contains("step 1.1.1", "common.demo_runtime: applied", "2 files", "creates  " + helper,
                "absent, the step creates it (a rollback removes it)");
        try (var context = shell.context()) {
            io.fleetshell.shell.cli.FleetCompleter completer = context.getBean(io.fleetshell.shell.cli.FleetCompleter.class);
            assertThat(completer.proposals(List.of("rollback"), "common.")).singleElement().satisfies(c -> {
                assertThat(c.value()).isEqualTo("common.demo_runtime");
                assertThat(c.descr()).startsWith("shared module, 2 files, deployment 1, ");
            });
        }

        ShellHarness.Run rollback = shell.oneShot("rollback", "common.demo_runtime");

        assertThat(rollback.status()).as(rollback.err()).isZero();
        assertThat(rollback.out()).contains("1.1.1 common.demo_runtime: restored its 2 files, every sha256 verified",
                "restored " + module + ", sha256 " + Checksums.sha256(original), "removed " + helper + " (the step created it)");
        assertThat(Files.readAllBytes(module)).isEqualTo(original);
        assertThat(helper).doesNotExist();
        assertThat(shell.oneShot("rollback", "common.demo_runtime").err()).contains("common.demo_runtime has no change left to roll back");
        ShellHarness.Run json = shell.oneShot("deploy", "status", "1", "--json");
        assertThat(json.out()).contains("\"module\" : \"common.demo_runtime\"", "\"created\" : true", "\"state\" : \"rolled_back\"");

        deploy(module, helper, original, rewritten);
        ShellHarness.Run whole = shell.oneShot("rollback", "--deployment", "2", "--yes");

        assertThat(whole.status()).as(whole.err()).isZero();
        assertThat(whole.out()).contains("2.1.1 common.demo_runtime: restored its 2 files", "removed " + helper);
        assertThat(Files.readAllBytes(module)).isEqualTo(original);
        assertThat(helper).doesNotExist();
    }

    /** Deploys the module's change (the module rewritten, the helper created) through the rollout's executor, as optimize MODULE does. */
    private void deploy(Path module, Path helper, byte[] original, byte[] rewritten) throws Exception {
        List<AgentId> dependents = List.of(new AgentId("pc2", "AsyncProcessor"), new AgentId("pc2", "DreamWorldAgent"));
        try (HistoryDatabase db = HistoryDatabase.open(home.resolve("history.db"))) {
            DeploymentStore store = new DeploymentStore(db);
            ModuleChange change = new ModuleChange("common.demo_runtime", "pc2", module, new ChangeSet("lazy_loading", List.of(
                    Rewrite.creating("lazy_loading", helper, "def lazy(name):\n    return name\n".getBytes(StandardCharsets.UTF_8), List.of()),
                    new Rewrite("lazy_loading", module, original, rewritten, List.of("defers nothing; a comment"))), List.of()),
                    dependents, ProofHints.NONE, null);
            var inventory = new InventoryStore(db).inventory();
            // Proved by reading the module as written, for each dependent.
            StepProver readsTheModule = (agent, rewrite, hints) -> new Proof(List.of(new ProofCheck("written",
                    java.util.Arrays.equals(read(rewrite.file()), rewrite.after()) ? ProofCheck.Outcome.PASSED : ProofCheck.Outcome.FAILED,
                    "the module on disk is the rewrite", Map.of())));
            RolloutExecutor executor = new RolloutExecutor(store, id -> inventory.agents().stream().filter(a -> a.id().equals(id))
                    .findFirst().orElse(null), readsTheModule, List.of(), AgentRuntime.NOT_RUNNING, "test-host");
            DeploymentResult result = executor.run(Planner.of(change), RolloutListener.SILENT);
            assertThat(result.state()).as(result.summary()).isEqualTo(DeploymentState.COMPLETED);
        }
    }
}
