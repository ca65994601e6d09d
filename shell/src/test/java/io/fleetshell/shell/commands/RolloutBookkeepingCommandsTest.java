package io.fleetshell.shell.commands;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.LockHolder;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.shell.cli.Host;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16 items 1 and 2 on the shell's side: which steps a batch or deployment rollback covers (every step whose file
 * holds the rewrite, whatever its state), and what {@code deploy status} says of a deployment left running by a dead
 * process.
 */
class RolloutBookkeepingCommandsTest {

    @TempDir
    Path dir;

    @Test
    void aRollbackCoversEveryStepWhoseFileHoldsTheRewriteWhateverItsState() throws IOException {
        byte[] before = "import os\n".getBytes(StandardCharsets.UTF_8);
        byte[] after = "# lazy\n".getBytes(StandardCharsets.UTF_8);
        StoredStep applied = step(1, "applied.py", after, before, after, StepState.APPLIED);
        StoredStep written = step(2, "written.py", after, before, after, StepState.WRITTEN); // left by a crash (issue 16 item 2)
        StoredStep rolledBackButRewritten = step(3, "again.py", after, before, after, StepState.ROLLED_BACK);
        StoredStep rolledBack = step(4, "back.py", before, before, after, StepState.ROLLED_BACK);
        StoredStep pending = step(5, "pending.py", before, before, after, StepState.PENDING);
        StoredStep conflict = step(6, "conflict.py", "edited\n".getBytes(StandardCharsets.UTF_8), before, after, StepState.CONFLICT);

        assertThat(RollbackCommands.changed(List.of(applied, written, rolledBackButRewritten, rolledBack, pending, conflict), id -> new io.fleetshell.engine.host.LocalHost("local", dir)))
                .extracting(StoredStep::id).containsExactly(1L, 2L, 3L, 6L);
    }

    @Test
    void aDeploymentLeftRunningByAProcessThatIsGoneIsNamedWithDeployRecover() {
        Deployment running = new Deployment(7, Instant.now(), null, "lazy_loading", Map.of(), DeploymentState.RUNNING, null, null,
                Long.MAX_VALUE - 1, Host.name());
        LockHolder dead = new LockHolder(7L, "deploy", Long.MAX_VALUE - 1, "2026-01-01T00:00:00Z", Host.name(), Instant.now());
        LockHolder alive = LockHolder.self(7L, "deploy", Host.name());

        assertThat(DeploymentCommands.orphaned(running, Optional.of(dead))).hasValueSatisfying(m -> assertThat(m)
                .contains("deployment 7 is marked running", "is gone", "deploy recover"));
        // Stopped by an error, the process released the lock but left the state running (issue 16 item 1).
        assertThat(DeploymentCommands.orphaned(running, Optional.empty())).hasValueSatisfying(m -> assertThat(m)
                .contains("no process holds the fleet lock for it", "deploy recover"));
        assertThat(DeploymentCommands.orphaned(running, Optional.of(alive))).isEmpty();
        Deployment completed = new Deployment(8, Instant.now(), Instant.now(), "lazy_loading", Map.of(), DeploymentState.COMPLETED, null,
                "done", 1, Host.name());
        assertThat(DeploymentCommands.orphaned(completed, Optional.empty())).isEmpty();
    }

    private StoredStep step(long id, String name, byte[] onDisk, byte[] before, byte[] after, StepState state) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, onDisk);
        return new StoredStep(id, 1, 1, (int) id, new AgentId("m1", "A" + id), file, "lazy_loading", Checksums.sha256(before),
                Checksums.sha256(after), null, List.of(), ProofHints.NONE, state, null, Instant.now());
    }
}
