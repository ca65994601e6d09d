package io.fleetshell.history;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.SshHost;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A remote disk that refuses the write (issue 20, bad input): the fleet lives only on a host reached over ssh (an sshd
 * in a mount namespace of its own), its agents' directory read-only or on a full tmpfs. The step's write fails with an
 * error naming the machine, the file and what the host's OS said; the original keeps its bytes (sha256 read on the
 * host), no temporary file is left, the step is rolled back and the deployment says so.
 */
@ExtendWith(HistoryDatabaseExtension.class)
class RemoteDiskTest {

    @TempDir
    static Path shared;
    static Sshd sshd;
    static Path root;
    static Host host;

    @BeforeAll
    static void start() throws Exception {
        root = shared.resolve("srv/fleet");
        sshd = Sshd.startIsolated(shared.resolve("sshd"), "disk-host", root, 0);
        host = new SshHost("m1", sshd.access(), "python3", new FleetHome(shared.resolve("home")).sshSockets());
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    @Test
    void aReadOnlyRemoteDiskFailsTheStepAndKeepsTheOriginal(HistoryDatabase db) throws Exception {
        RolloutFleet fleet = onTheHost(root.resolve("read-only"));
        sshd.readOnly(root.resolve("read-only/agents"));

        deployAndExpectRefusal(db, fleet, "Read-only file system");
    }

    @Test
    void aFullRemoteDiskFailsTheStepAndKeepsTheOriginal(HistoryDatabase db) throws Exception {
        Path full = root.resolve("full");
        sshd.inside("mkdir", "-p", full.toString());
        sshd.inside("mount", "-t", "tmpfs", "-o", "size=256k", "fleetshell-full", full.toString());
        RolloutFleet fleet = onTheHost(full);
        // Every page of the small tmpfs taken: cat stops at ENOSPC.
        sshd.inside("sh", "-c", "cat /dev/zero > \"$1\" 2>/dev/null; true", "sh", full.resolve("filler").toString());

        deployAndExpectRefusal(db, fleet, "No space left on device");
    }

    /** A one-agent fleet made here and copied to the same paths on the host (the copy here is only the planner's input). */
    private static RolloutFleet onTheHost(Path base) throws Exception {
        RolloutFleet fleet = RolloutFleet.create(base, 1);
        sshd.copyIn(base, base);
        return fleet;
    }

    private static void deployAndExpectRefusal(HistoryDatabase db, RolloutFleet fleet, String osSaid) throws Exception {
        DeploymentStore store = new DeploymentStore(db);
        Path script = fleet.agents.getFirst().script().path();
        String original = Checksums.sha256(fleet.originals.get(fleet.agents.getFirst().id()));

        DeploymentResult result = new RolloutExecutor(store, fleet.lookup(), RolloutFleet.failingFor(Set.of(), host), List.of(),
                AgentRuntime.NOT_RUNNING, "test-host").onHosts(id -> host)
                .run(fleet.plan("1", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO), RolloutListener.SILENT);

        StoredStep step = result.steps().getFirst();
        assertThat(step.state()).as(step.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(step.detail()).contains("the write of " + script + " failed", "on machine m1 (disk-host)", osSaid,
                "the original was already on disk").doesNotContain(": :");
        assertThat(result.state().text() + ": " + result.summary()).as("what the deployment says").contains("rolled back");
        assertThat(sshd.sha256(script)).isEqualTo(original);
        assertThat(sshd.inside("find", script.getParent().toString(), "-name", ".*", "-type", "f")).as("temporary files on the host").isEmpty();
    }
}
