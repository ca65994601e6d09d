package io.fleetshell.history;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.BatchOutcome;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 17, items 1 and 4, as fixtures through the real executor and real files: a directory swapped for a symlink out
 * of the fleet root between two batches, an agent file replaced by a symlink, a planted symlink at a step's temporary
 * file, and a {@code nobody:nogroup 0640} file through apply, rollback and the restore after a failed proof.
 */
@ExtendWith(HistoryDatabaseExtension.class)
class SafetyCorpusTest {

    @TempDir
    Path dir;

    @Test
    void issue17_1_aDirectorySwappedForASymlinkBetweenBatchesIsRefusedAndTheOutsideFilesAreUntouched(HistoryDatabase db)
            throws IOException {
        Path root = Files.createDirectories(dir.resolve("fleet"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        RolloutFleet fleet = RolloutFleet.create(root, 3);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = fleet.plan("1", 100, OnFail.ROLLBACK_BATCH, Duration.ZERO);
        // the attacker's copies have the planned bytes, so the drift check alone would let the write through
        for (Agent agent : fleet.agents) {
            Files.write(outside.resolve(agent.script().path().getFileName()), fleet.originals.get(agent.id()));
        }
        RolloutListener swapAfterBatchOne = new RolloutListener() {
            @Override
            public void batchFinished(BatchOutcome outcome) {
                if (outcome.number() == 1) {
                    try {
                        Files.move(root.resolve("agents"), root.resolve("agents.moved"));
                        Files.createSymbolicLink(root.resolve("agents"), outside);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        };

        DeploymentResult result = executor(store, fleet, Set.of()).run(plan, swapAfterBatchOne);

        assertThat(result.steps()).extracting(StoredStep::state)
                .containsExactly(StepState.APPLIED, StepState.ROLLED_BACK, StepState.ROLLED_BACK);
        assertThat(result.steps().get(1).detail()).startsWith(root.resolve("agents/agent_001.py") + " now resolves to "
                + outside.toRealPath().resolve("agent_001.py") + ", not to " + root.toRealPath().resolve("agents/agent_001.py")
                + " as when it was planned (a directory on the way was replaced by a symlink): refused, nothing was written");
        for (Agent agent : fleet.agents) {
            assertThat(Files.readAllBytes(outside.resolve(agent.script().path().getFileName())))
                    .as("outside file of %s", agent.name()).isEqualTo(fleet.originals.get(agent.id()));
        }
        assertThat(store.decisions(result.deploymentId())).extracting(r -> r.decision().name()).contains("inside the fleet root");
        assertThat(store.backups(result.deploymentId())).hasSize(1).first()
                .satisfies(b -> assertThat(b.realPath()).isEqualTo(root.toRealPath().resolve("agents/agent_000.py").toString()));
    }

    @Test
    void issue17_1_anAgentFileReplacedBySymlinkIsNeitherReadNorReplaced(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir.resolve("fleet"), 1);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = fleet.plan("1", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);
        Path file = fleet.agents.getFirst().script().path();
        Path outside = dir.resolve("secret.py");
        Files.write(outside, fleet.originals.get(fleet.agents.getFirst().id()));
        Files.delete(file);
        Files.createSymbolicLink(file, outside);

        DeploymentResult result = executor(store, fleet, Set.of()).run(plan, RolloutListener.SILENT);

        assertThat(result.steps().getFirst().state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(result.steps().getFirst().detail()).contains(file + " is a symbolic link (to " + outside + ")")
                .contains("Refused, nothing was written");
        assertThat(Files.isSymbolicLink(file)).isTrue();
        assertThat(Files.readAllBytes(outside)).isEqualTo(fleet.originals.get(fleet.agents.getFirst().id()));
    }

    @Test
    void issue17_1_aSymlinkPlantedAtTheTemporaryFileIsRemovedNotWrittenThrough(HistoryDatabase db) throws IOException {
        RolloutFleet fleet = RolloutFleet.create(dir.resolve("fleet"), 1);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = fleet.plan("1", 0, OnFail.ROLLBACK_BATCH, Duration.ZERO);
        long id = new RolloutExecutor(store, fleet.lookup(), RolloutFleet.failingFor(Set.of()), List.of(), AgentRuntime.NOT_RUNNING,
                "test-host").persist(plan);
        StoredStep step = store.steps(id).getFirst();
        Path target = dir.resolve("target.txt");
        Files.writeString(target, "untouched");
        Files.createSymbolicLink(step.tempFile(), target);

        DeploymentResult result = executor(store, fleet, Set.of()).execute(id, RolloutListener.SILENT);

        assertThat(result.steps().getFirst().state()).isEqualTo(StepState.APPLIED);
        assertThat(Files.readString(target)).isEqualTo("untouched");
        assertThat(Files.exists(step.tempFile(), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void issue17_4_ownerAndGroupSurviveApplyRollbackAndTheRestoreAfterAFailedProof(HistoryDatabase db) throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "giving a file to nobody needs root");
        RolloutFleet fleet = RolloutFleet.create(dir.resolve("fleet"), 2);
        for (Agent agent : fleet.agents) {
            giveTo(agent.script().path(), "nobody", "nogroup");
        }
        DeploymentStore store = new DeploymentStore(db);
        // Agent001's proof fails: its automatic restore; Agent000 is applied, then rolled back by hand
        DeploymentResult result = executor(store, fleet, Set.of("Agent001")).run(fleet.plan("2", 100, OnFail.ROLLBACK_BATCH,
                Duration.ZERO), RolloutListener.SILENT);
        assertThat(result.state()).isEqualTo(DeploymentState.COMPLETED);
        Path applied = fleet.agents.get(0).script().path();
        Path restored = fleet.agents.get(1).script().path();
        assertThat(Files.readAllBytes(applied)).isEqualTo(RolloutFleet.edited(fleet.originals.get(fleet.agents.get(0).id())));
        assertThat(ownership(applied)).isEqualTo("nobody:nogroup 0640");
        assertThat(Files.readAllBytes(restored)).isEqualTo(fleet.originals.get(fleet.agents.get(1).id()));
        assertThat(ownership(restored)).isEqualTo("nobody:nogroup 0640");
        assertThat(store.backups(result.deploymentId())).allSatisfy(b -> {
            assertThat(b.owner()).isEqualTo("nobody");
            assertThat(b.group()).isEqualTo("nogroup");
        });

        // someone chowns the applied file to root; the rollback gives the original back its recorded owner
        giveTo(applied, "root", "root");
        List<StoredStep> steps = store.steps(result.deploymentId()).stream().filter(s -> s.state() == StepState.APPLIED).toList();
        RolloutExecutor.RollbackResult rollback = executor(store, fleet, Set.of()).rollback(steps, "rollback --deployment", false);

        assertThat(rollback.outcomes()).singleElement().isInstanceOf(Restorer.Restored.class);
        assertThat(Checksums.sha256(Files.readAllBytes(applied))).isEqualTo(steps.getFirst().beforeSha256());
        assertThat(ownership(applied)).isEqualTo("nobody:nogroup 0640");
    }

    @Test
    void issue17_weak_aFullDiskSaysSoAndThatNothingWasStored(HistoryDatabase db) {
        DeploymentStore store = new DeploymentStore(db);
        // the database may not grow: what a full disk does to SQLite's writes (SQLITE_FULL)
        db.write(c -> {
            try (var statement = c.createStatement(); var pages = statement.executeQuery("PRAGMA page_count")) {
                pages.next();
                statement.execute("PRAGMA max_page_count = " + pages.getLong(1));
            }
            return null;
        });
        byte[] large = new byte[4 * 1024 * 1024];
        java.util.Arrays.fill(large, (byte) 'x');

        assertThatThrownBy(() -> store.storeBlob(large)).isInstanceOf(io.fleetshell.engine.FleetshellException.class)
                // SQLite reports SQLITE_FULL on the write, or rolls back by itself so that the commit finds no transaction
                .satisfies(e -> assertThat(e.getMessage()).startsWith("Cannot write to the history database " + db.file() + ": ")
                        .containsAnyOf(": the disk holding it is full (", ": SQLite rolled the transaction back by itself, as it "
                                + "does when the disk is full ("))
                .hasMessageEndingWith("). Nothing was stored. Free space there (or point FLEETSHELL_HOME at another disk) and run "
                        + "the command again.");
        assertThat(store.blobs(List.of(Checksums.sha256(large)))).isEmpty();
    }

    @Test
    void issue17_weak_aTargetsSeriesAreCappedAndHistoryPruneDeletesOldScrapes(HistoryDatabase db) {
        MetricStore store = new MetricStore(db);
        io.fleetshell.engine.inventory.AgentId agent = new io.fleetshell.engine.inventory.AgentId("pc2", "Noisy");
        StringBuilder text = new StringBuilder("# TYPE requests_total counter\n");
        for (int i = 0; i <= MetricStore.MAX_SERIES_PER_TARGET; i++) {
            text.append("requests_total{request_id=\"").append(i).append("\"} 1\n");
        }
        java.time.Instant old = java.time.Instant.now().minus(Duration.ofDays(40));
        var exposition = io.fleetshell.engine.metrics.ExpositionParser.parse(text.toString(),
                io.fleetshell.engine.metrics.ExpositionFormat.TEXT);
        var target = new io.fleetshell.engine.metrics.ScrapeTarget(agent, java.net.URI.create("http://127.0.0.1:1/metrics"));

        MetricStore.StoredScrape first = store.save(List.of(new io.fleetshell.engine.metrics.ScrapeResult.Scraped(target, old,
                Duration.ofMillis(3), text.length(), exposition)), MetricStore.Source.SCRAPE).getFirst();

        assertThat(first.error()).isEqualTo("1 sample of new series not stored: pc2/Noisy has reached the limit of 20000 series per "
                + "target (a label with unbounded values?)");
        MetricStore.StoredScrape recent = store.save(List.of(new io.fleetshell.engine.metrics.ScrapeResult.Scraped(target,
                java.time.Instant.now(), Duration.ofMillis(3), text.length(), exposition)), MetricStore.Source.SCRAPE).getFirst();

        MetricStore.Pruned pruned = store.prune(java.time.Instant.now().minus(Duration.ofDays(30)));

        assertThat(pruned).isEqualTo(new MetricStore.Pruned(MetricStore.MAX_SERIES_PER_TARGET, 1, 0));
        assertThat(store.latest(agent).orElseThrow().id()).isEqualTo(recent.id());
        assertThat(store.scrapes(agent, old.minusSeconds(1), java.time.Instant.now())).extracting(MetricStore.StoredScrape::id)
                .containsExactly(recent.id());
    }

    private static void giveTo(Path file, String owner, String group) throws IOException {
        UserPrincipalLookupService names = file.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        view.setOwner(names.lookupPrincipalByName(owner));
        view.setGroup(names.lookupPrincipalByGroupName(group));
    }

    private static String ownership(Path file) throws IOException {
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String mode = PosixFilePermissions.toString(a.permissions());
        int bits = 0;
        for (int i = 0; i < 9; i++) {
            bits = bits << 1 | (mode.charAt(i) == '-' ? 0 : 1);
        }
        return "%s:%s 0%o".formatted(a.owner().getName(), a.group().getName(), bits);
    }

    private static RolloutExecutor executor(DeploymentStore store, RolloutFleet fleet, Set<String> failing) {
        return new RolloutExecutor(store, fleet.lookup(), RolloutFleet.failingFor(failing), List.of(), AgentRuntime.NOT_RUNNING,
                "test-host");
    }
}
