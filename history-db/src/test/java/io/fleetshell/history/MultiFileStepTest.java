package io.fleetshell.history;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.DeploymentJournal;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.DeploymentState;
import io.fleetshell.engine.rollout.ModuleChange;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.rollout.Recovery;
import io.fleetshell.engine.rollout.Restorer;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StepProver;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steps of several files on real files (issue 14 item 4): a shared module rewritten together with the helper module it
 * creates and an agent file, written, proved, rolled back, refused on drift and recovered as one unit, byte-exact.
 */
@ExtendWith(HistoryDatabaseExtension.class)
class MultiFileStepTest {

    private static final String HOST = "test-host";

    @TempDir
    Path dir;

    @Test
    void aModuleStepWritesEveryFileAndItsRollbackRestoresThemAndRemovesTheCreatedHelper(HistoryDatabase db) throws IOException {
        SharedModule shared = SharedModule.create(dir, 3);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = Planner.of(shared.change(store));

        DeploymentResult result = executor(store, shared, Set.of()).run(plan, RolloutListener.SILENT);

        assertThat(result.state()).isEqualTo(DeploymentState.COMPLETED);
        StoredStep step = result.steps().getFirst();
        assertThat(step.state()).isEqualTo(StepState.APPLIED);
        assertThat(step.module()).isEqualTo("common.base");
        assertThat(step.dependents()).containsExactlyElementsOf(shared.fleet.agents.stream().map(a -> a.id()).toList());
        assertThat(step.files()).extracting(f -> f.file().getFileName().toString()).containsExactly("_lazy.py", "base.py", "agent_000.py");
        shared.assertRewritten();
        List<DeploymentJournal.Backup> backups = store.backups(result.deploymentId());
        assertThat(backups).extracting(DeploymentJournal.Backup::absent).containsExactly(true, false, false);
        assertThat(backups.get(1).mode()).isEqualTo(0640);
        assertThat(store.decisions(result.deploymentId())).filteredOn(r -> r.decision().kind().equals("proof"))
                .extracting(r -> r.decision().name()).contains("written of m1/Agent000", "written of m1/Agent002");

        RolloutExecutor.RollbackResult rollback = executor(store, shared, Set.of()).rollback(store.stepsOfModule("common.base"),
                "rollback common.base", false);

        assertThat(rollback.outcomes()).singleElement().isInstanceOf(Restorer.Restored.class);
        shared.assertOriginal();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared.module))).isEqualTo("rw-r-----");
        assertThat(store.deployment(result.deploymentId()).orElseThrow().state()).isEqualTo(DeploymentState.ROLLED_BACK);
        assertThat(store.stepsOf(new AgentId("m1", "common.base"))).as("a module step is not an agent's").isEmpty();
        assertThat(store.changedModules()).isEmpty();
    }

    @Test
    void aFailedProofOnOneDependentRestoresEveryFileAndNamesTheAgent(HistoryDatabase db) throws IOException {
        SharedModule shared = SharedModule.create(dir, 3);
        DeploymentStore store = new DeploymentStore(db);

        DeploymentResult result = executor(store, shared, Set.of("Agent001")).run(Planner.of(shared.change(store)), RolloutListener.SILENT);

        StoredStep step = result.steps().getFirst();
        assertThat(step.state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(step.detail()).contains("proof failed: test_command of m1/Agent001");
        shared.assertOriginal();
        assertThat(shared.leftovers()).isEmpty();
    }

    @Test
    void driftOnOneFileRefusesTheWholeStep(HistoryDatabase db) throws IOException {
        SharedModule shared = SharedModule.create(dir, 2);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = Planner.of(shared.change(store));
        byte[] edited = (new String(shared.original(shared.agentFile), StandardCharsets.UTF_8) + "# edited by a person\n")
                .getBytes(StandardCharsets.UTF_8);
        Files.write(shared.agentFile, edited);

        DeploymentResult result = executor(store, shared, Set.of()).run(plan, RolloutListener.SILENT);

        StoredStep step = result.steps().getFirst();
        assertThat(step.state()).isEqualTo(StepState.DRIFTED);
        assertThat(step.detail()).contains(shared.agentFile + " changed on disk", "none of the step's 3 files was touched");
        assertThat(Files.readAllBytes(shared.module)).isEqualTo(shared.original(shared.module));
        assertThat(Files.readAllBytes(shared.agentFile)).isEqualTo(edited);
        assertThat(shared.helper).doesNotExist();
        assertThat(store.backups(result.deploymentId())).isEmpty();
    }

    @Test
    void aHelperThatAppearedSincePlanningIsDrift(HistoryDatabase db) throws IOException {
        SharedModule shared = SharedModule.create(dir, 2);
        DeploymentStore store = new DeploymentStore(db);
        Plan plan = Planner.of(shared.change(store));
        Files.writeString(shared.helper, "# someone else's helper\n");

        DeploymentResult result = executor(store, shared, Set.of()).run(plan, RolloutListener.SILENT);

        assertThat(result.steps().getFirst().state()).isEqualTo(StepState.DRIFTED);
        assertThat(result.steps().getFirst().detail()).contains(shared.helper + " exists now, but was absent when the plan was resolved");
        assertThat(Files.readString(shared.helper)).isEqualTo("# someone else's helper\n");
        assertThat(Files.readAllBytes(shared.module)).isEqualTo(shared.original(shared.module));
    }

    @Test
    void aWriteThatFailsOnTheSecondFileRestoresTheFirst(HistoryDatabase db) throws IOException {
        SharedModule shared = SharedModule.create(dir, 2);
        DeploymentStore store = new DeploymentStore(db);
        RolloutExecutor executor = executor(store, shared, Set.of());
        long id = executor.persist(Planner.of(shared.change(store)));
        StoredStep stored = store.steps(id).getFirst();
        // The second file's temporary file is a non-empty directory: its write fails after the helper was created.
        Path blocker = stored.files().get(1).tempFile(stored.id());
        Files.createDirectories(blocker);
        Files.writeString(blocker.resolve("keep"), "x");

        DeploymentResult result = executor.execute(id, RolloutListener.SILENT);

        StoredStep step = result.steps().getFirst();
        assertThat(step.state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(step.detail()).contains("the write of " + shared.module + " failed");
        shared.assertOriginal();
    }

    @Test
    void recoveryUndoesAStepCaughtBetweenItsFiles(HistoryDatabase db) throws IOException {
        SharedModule shared = SharedModule.create(dir, 2);
        DeploymentStore store = new DeploymentStore(db);
        long id = executor(store, shared, Set.of()).persist(Planner.of(shared.change(store)));
        StoredStep step = store.steps(id).getFirst();
        // What a process killed after the helper's and the module's renames, before the agent file's, leaves.
        store.beginWrite(step, List.of(new DeploymentJournal.FileMeta(null, null), io.fleetshell.engine.rollout.AtomicFiles.stat(shared.module),
                io.fleetshell.engine.rollout.AtomicFiles.stat(shared.agentFile)));
        Files.write(shared.helper, shared.after(shared.helper));
        Files.write(shared.module, shared.after(shared.module));
        Files.writeString(step.files().get(2).tempFile(step.id()), "half");

        List<Recovery.Result> results = new Recovery(store, HOST).recoverAll(AgentRuntime.NOT_RUNNING, shared.fleet.lookup());

        assertThat(results).singleElement().satisfies(r -> assertThat(r.restored()).singleElement().isInstanceOf(Restorer.Restored.class));
        assertThat(store.steps(id).getFirst().state()).isEqualTo(StepState.ROLLED_BACK);
        shared.assertOriginal();
        assertThat(shared.leftovers()).isEmpty();
    }

    @Test
    void aRollbackRefusesTheWholeStepWhenOneFileWasEditedAndForceRestoresThemAll(HistoryDatabase db) throws IOException {
        SharedModule shared = SharedModule.create(dir, 2);
        DeploymentStore store = new DeploymentStore(db);
        executor(store, shared, Set.of()).run(Planner.of(shared.change(store)), RolloutListener.SILENT);
        Files.writeString(shared.helper, "# edited since\n");

        RolloutExecutor.RollbackResult refused = executor(store, shared, Set.of()).rollback(store.stepsOfModule("common.base"), "rollback", false);

        assertThat(refused.outcomes()).singleElement().isInstanceOfSatisfying(Restorer.Refused.class,
                r -> assertThat(r.reason()).contains(shared.helper + " was edited since the deploy", "restored together or not at all"));
        assertThat(Files.readAllBytes(shared.module)).isEqualTo(shared.after(shared.module));

        RolloutExecutor.RollbackResult forced = executor(store, shared, Set.of()).rollback(store.stepsOfModule("common.base"), "rollback", true);

        assertThat(forced.outcomes()).singleElement().isInstanceOf(Restorer.Restored.class);
        shared.assertOriginal();
        assertThat(store.backups(store.stepsOfModule("common.base").getFirst().deploymentId()))
                .filteredOn(b -> b.reason().equals("forced rollback")).singleElement()
                .satisfies(b -> assertThat(b.path()).isEqualTo(shared.helper.toString()));
    }

    @Test
    void aHelperAnotherStepStillUsesIsNotRemovedByTheRollbackOfTheStepThatCreatedIt(HistoryDatabase db) throws IOException {
        SharedModule shared = SharedModule.create(dir, 2);
        DeploymentStore store = new DeploymentStore(db);
        DeploymentResult first = executor(store, shared, Set.of()).run(Planner.of(shared.change(store)), RolloutListener.SILENT);
        // A second module, rewritten later, imports the helper the first step created: its change leaves the helper as it is.
        Path metrics = shared.module.resolveSibling("metrics.py");
        Files.writeString(metrics, "import json\n" + RolloutFleet.LINE);
        byte[] helper = Files.readAllBytes(shared.helper);
        ModuleChange second = new ModuleChange("common.metrics", "m1", metrics, new ChangeSet("lazy_loading", List.of(
                new Rewrite("lazy_loading", shared.helper, helper, helper, List.of()),
                new Rewrite("lazy_loading", metrics, Files.readAllBytes(metrics), RolloutFleet.edited(Files.readAllBytes(metrics)), List.of())),
                List.of()), List.of(new AgentId("m1", "Agent001")), ProofHints.NONE, null);
        Files.setLastModifiedTime(shared.helper, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
        DeploymentResult later = executor(store, shared, Set.of()).run(Planner.of(second), RolloutListener.SILENT);
        assertThat(later.steps().getFirst().state()).as(later.steps().getFirst().detail()).isEqualTo(StepState.APPLIED);
        assertThat(Files.getLastModifiedTime(shared.helper).toMillis()).as("a file the step only uses is not written")
                .isEqualTo(1_000_000_000_000L);

        RolloutExecutor.RollbackResult refused = executor(store, shared, Set.of()).rollback(store.steps(first.deploymentId()),
                "rollback --deployment " + first.deploymentId(), false);

        assertThat(refused.outcomes()).singleElement().isInstanceOfSatisfying(Restorer.Refused.class, r -> assertThat(r.reason())
                .contains(shared.helper + ", which this step created, is used by step " + later.steps().getFirst().label()
                        + " (common.metrics), still in place", "rollback common.metrics"));
        assertThat(Files.readAllBytes(shared.module)).isEqualTo(shared.after(shared.module));
        assertThat(shared.helper).exists();

        List<StoredStep> both = new ArrayList<>(store.steps(later.deploymentId()));
        both.addAll(store.steps(first.deploymentId()));
        RolloutExecutor.RollbackResult together = executor(store, shared, Set.of()).rollback(both, "rollback both", false);

        assertThat(together.outcomes()).allSatisfy(o -> assertThat(o).isInstanceOf(Restorer.Restored.class));
        shared.assertOriginal();
        assertThat(Files.readString(metrics)).isEqualTo("import json\n" + RolloutFleet.LINE);
    }

    @Test
    void aMixedPlanRunsTheModuleStepBeforeTheAgentStepsAndOneFileIsOneStep(HistoryDatabase db) throws IOException {
        SharedModule shared = SharedModule.create(dir, 4);
        DeploymentStore store = new DeploymentStore(db);
        ModuleChange change = shared.change(store);
        Path other = shared.module.resolveSibling("metrics.py");
        Files.writeString(other, "import json\n");
        ModuleChange second = new ModuleChange("common.metrics", "m1", other, new ChangeSet("lazy_loading", List.of(
                Rewrite.creating("lazy_loading", shared.helper, "# another helper\n".getBytes(StandardCharsets.UTF_8), List.of()),
                new Rewrite("lazy_loading", other, "import json\n".getBytes(StandardCharsets.UTF_8),
                        "from common._lazy import lazy\n".getBytes(StandardCharsets.UTF_8), List.of())), List.of()),
                List.of(new AgentId("m1", "Agent003")), ProofHints.NONE, null);
        Plan agents = shared.fleet.plan("2", 0, io.fleetshell.engine.rollout.OnFail.ROLLBACK_BATCH, java.time.Duration.ZERO);

        Plan plan = Planner.of(List.of(change, second), shared.fleet.optimizations(),
                List.of(), Map.of(), agents.options());

        assertThat(plan.steps()).extracting(s -> s.subject()).containsExactly("common.base", "m1/Agent001", "m1/Agent002", "m1/Agent003");
        assertThat(plan.steps()).extracting(s -> s.batch()).containsExactly(1, 1, 2, 2);
        assertThat(plan.skipped()).extracting(s -> s.agent().toString() + ": " + s.reason()).containsExactlyInAnyOrder(
                "m1/common.metrics: writes a file the step of common.base writes too (one file, one step): deploy it after this "
                        + "deployment, when that file is in place",
                "m1/Agent000: its file " + shared.agentFile + " is one of the files of the step of common.base (one file, one step): that "
                        + "step changes it and restarts and gates Agent000 with it");
        assertThat(plan.pattern()).isEqualTo("lazy_loading,edit_mode");

        // Executed as one deployment: the module step first, then the agents; its rollback puts every file back.
        DeploymentResult result = executor(store, shared, Set.of()).run(plan, RolloutListener.SILENT);

        assertThat(result.state()).isEqualTo(DeploymentState.COMPLETED);
        assertThat(result.steps()).extracting(StoredStep::state).containsOnly(StepState.APPLIED);
        shared.assertRewritten();
        for (var agent : shared.fleet.agents.subList(1, 4)) {
            assertThat(Files.readAllBytes(agent.script().path())).isEqualTo(RolloutFleet.edited(shared.fleet.originals.get(agent.id())));
        }
        RolloutExecutor.RollbackResult rollback = executor(store, shared, Set.of()).rollback(store.steps(result.deploymentId()),
                "rollback --deployment " + result.deploymentId(), false);
        assertThat(rollback.outcomes()).hasSize(4).allSatisfy(o -> assertThat(o).isInstanceOf(Restorer.Restored.class));
        shared.assertOriginal();
        for (var agent : shared.fleet.agents) {
            assertThat(Files.readAllBytes(agent.script().path())).isEqualTo(shared.fleet.originals.get(agent.id()));
        }
    }

    static RolloutExecutor executor(DeploymentStore store, SharedModule shared, Set<String> failing) {
        return new RolloutExecutor(store, shared.fleet.lookup(), RolloutFleet.failingFor(failing), List.of(), AgentRuntime.NOT_RUNNING, HOST);
    }

    /**
     * A fleet with a shared module {@code common/base.py} every agent imports; its change creates the helper
     * {@code common/_lazy.py}, rewrites the module and the first agent's file.
     */
    static final class SharedModule {

        final RolloutFleet fleet;
        final Path helper;
        final Path module;
        final Path agentFile;
        private final Map<Path, byte[]> originals = new java.util.HashMap<>();
        private final Map<Path, byte[]> afters = new java.util.HashMap<>();

        private SharedModule(RolloutFleet fleet, Path helper, Path module, Path agentFile) {
            this.fleet = fleet;
            this.helper = helper;
            this.module = module;
            this.agentFile = agentFile;
        }

        static SharedModule create(Path root, int agents) throws IOException {
            RolloutFleet fleet = RolloutFleet.create(root, agents);
            Path common = Files.createDirectories(root.resolve("common"));
            Path module = common.resolve("base.py");
            byte[] original = ("import json\n" + RolloutFleet.LINE + "class Base:\n    pass\n").getBytes(StandardCharsets.UTF_8);
            Files.write(module, original);
            Files.setPosixFilePermissions(module, PosixFilePermissions.fromString("rw-r-----"));
            SharedModule shared = new SharedModule(fleet, common.resolve("_lazy.py"), module, fleet.agents.getFirst().script().path());
            shared.originals.put(module, original);
            shared.originals.put(shared.agentFile, fleet.originals.get(fleet.agents.getFirst().id()));
            shared.afters.put(shared.helper, "def lazy(name):\n    return name\n".getBytes(StandardCharsets.UTF_8));
            shared.afters.put(module, RolloutFleet.edited(original));
            shared.afters.put(shared.agentFile, RolloutFleet.edited(shared.originals.get(shared.agentFile)));
            return shared;
        }

        /** The change: the helper created first, then the module (its own file), then an agent file. */
        ModuleChange change(DeploymentStore store) {
            ChangeSet set = new ChangeSet("lazy_loading", List.of(
                    Rewrite.creating("lazy_loading", helper, afters.get(helper), List.of("the helper every rewrite imports")),
                    new Rewrite("lazy_loading", module, originals.get(module), afters.get(module), List.of("defers json")),
                    new Rewrite("lazy_loading", agentFile, originals.get(agentFile), afters.get(agentFile), List.of())), List.of());
            return new ModuleChange("common.base", "m1", module, set, fleet.agents.stream().map(a -> a.id()).toList(),
                    new ProofHints(List.of("json"), List.of()), 12.5);
        }

        byte[] original(Path file) {
            return originals.get(file);
        }

        byte[] after(Path file) {
            return afters.get(file);
        }

        void assertRewritten() throws IOException {
            for (Path file : List.of(helper, module, agentFile)) {
                assertThat(Files.readAllBytes(file)).as(file.toString()).isEqualTo(afters.get(file));
            }
            assertThat(leftovers()).isEmpty();
        }

        void assertOriginal() throws IOException {
            assertThat(helper).as("the helper the step created").doesNotExist();
            for (Path file : List.of(module, agentFile)) {
                assertThat(Checksums.sha256(Files.readAllBytes(file))).as(file.toString()).isEqualTo(Checksums.sha256(originals.get(file)));
            }
        }

        List<Path> leftovers() throws IOException {
            List<Path> found = new ArrayList<>();
            for (Path d : List.of(module.getParent(), agentFile.getParent())) {
                try (Stream<Path> files = Files.list(d)) {
                    files.filter(p -> p.getFileName().toString().contains(".fleetshell-")).forEach(found::add);
                }
            }
            return found;
        }
    }
}
