package io.fleetshell.history;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.host.SshHost;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.DeploymentJournal;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Restorer;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.testing.Ports;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rollout whose machine is reached over ssh (issue 20): the executor reads, backs up (with mode and mtime), writes
 * (temp file, fsync, rename, sha256 read back) and restores the files on the machine through its {@link SshHost},
 * against a real sshd on loopback; drift is refused as on this computer, and a host that cannot be reached fails its
 * step with ssh's own line while the file stays as it was.
 */
@ExtendWith(HistoryDatabaseExtension.class)
class RemoteRolloutTest {

    @TempDir
    static Path shared;
    static Sshd sshd;
    static FleetHome home;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        sshd = Sshd.start(shared.resolve("sshd"), "rollout-host");
        home = new FleetHome(shared.resolve("home"));
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    private static RolloutExecutor executor(DeploymentStore store, RolloutFleet fleet, Host host) {
        return new RolloutExecutor(store, fleet.lookup(), RolloutFleet.failingFor(Set.of()), List.of(), AgentRuntime.NOT_RUNNING, "test-host")
                .onHosts(id -> host);
    }

    @Test
    void aDeployAndItsRollbackGoThroughTheMachinesHost(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir.resolve("srv/fleet's \"root\""), 3);
        DeploymentStore store = new DeploymentStore(db);
        Host host = new SshHost("m1", sshd.access(), "python3", home.sshSockets());
        Plan plan = fleet.plan("3", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);

        DeploymentResult result = executor(store, fleet, host).run(plan, RolloutListener.SILENT);

        assertThat(result.state()).isEqualTo(DeploymentState.COMPLETED);
        assertThat(result.steps()).extracting(StoredStep::state).containsOnly(StepState.APPLIED);
        for (var agent : fleet.agents) {
            Path script = agent.script().path();
            assertThat(Files.readAllBytes(script)).isEqualTo(RolloutFleet.edited(fleet.originals.get(agent.id())));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(script))).isEqualTo("rw-r-----");
            try (var siblings = Files.list(script.getParent())) {
                assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
            }
        }
        List<DeploymentJournal.Backup> backups = store.backups(result.deploymentId());
        assertThat(backups).hasSize(3).allSatisfy(b -> {
            assertThat(b.mode()).isEqualTo(0640);
            assertThat(b.mtime()).isNotNull();
            assertThat(b.owner()).isEqualTo(System.getProperty("user.name"));
        });
        assertThat(home.sshSockets().toFile().list()).as("the shared ssh connection's socket").isNotEmpty();

        RolloutExecutor.RollbackResult rollback = executor(store, fleet, host).rollback(store.steps(result.deploymentId()), "test rollback", false);

        assertThat(rollback.outcomes()).allSatisfy(o -> assertThat(o).isInstanceOf(Restorer.Restored.class));
        for (var agent : fleet.agents) {
            assertThat(Files.readAllBytes(agent.script().path())).isEqualTo(fleet.originals.get(agent.id()));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(agent.script().path()))).isEqualTo("rw-r-----");
        }
    }

    @Test
    void aFileChangedByHandOnTheMachineIsRefusedAsDrift(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir.resolve("drift root"), 1);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = fleet.plan("1", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);
        Path script = fleet.agents.getFirst().script().path();
        Files.writeString(script, "# edited by hand\n", java.nio.file.StandardOpenOption.APPEND);
        byte[] edited = Files.readAllBytes(script);

        DeploymentResult result = executor(store, fleet, new SshHost("m1", sshd.access(), "python3", home.sshSockets()))
                .run(plan, RolloutListener.SILENT);

        assertThat(result.steps().getFirst().state()).isNotEqualTo(StepState.APPLIED);
        assertThat(result.steps().getFirst().detail()).contains("changed");
        assertThat(Files.readAllBytes(script)).isEqualTo(edited);
    }

    @Test
    void aMachineThatCannotBeReachedFailsItsStepAndLeavesTheFile(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir.resolve("down root"), 1);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = fleet.plan("1", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);
        Host down = new SshHost("m1", new SshAccess("127.0.0.1", Ports.free(), sshd.identity(), null,
                Map.of("UserKnownHostsFile", sshd.knownHosts().toString()), false, 10, null), "python3", home.sshSockets());

        DeploymentResult result = executor(store, fleet, down).run(plan, RolloutListener.SILENT);

        StoredStep step = result.steps().getFirst();
        assertThat(step.state()).isNotEqualTo(StepState.APPLIED);
        assertThat(step.detail()).contains("cannot reach machine m1 over ssh").contains("Connection refused");
        assertThat(Files.readAllBytes(fleet.agents.getFirst().script().path())).isEqualTo(fleet.originals.get(fleet.agents.getFirst().id()));
    }
}
