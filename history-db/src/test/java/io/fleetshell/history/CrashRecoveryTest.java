package io.fleetshell.history;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.rollout.AgentRuntime;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.Recovery;
import io.fleetshell.engine.rollout.ModuleChange;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a real multi-batch deployment (a child JVM, {@link CrashChild}) with SIGKILL at 50 random instants
 * (runs that finish before their instant do not count), in half of the runs with a rollback after it, and after each runs {@code deploy recover}'s engine and
 * proves: {@code PRAGMA integrity_check} is ok, every file is byte-identical to its original or to its
 * recorded rewrite (the rewrite exactly where the journal says the step is applied), no temporary file is
 * left, and nothing is left to recover or locked. The first step is a joint change of several shared modules in many
 * files (a helper it creates, the module, its libs; {@code optimize --modules}); one run in three is killed while it writes them, and at least {@value #BETWEEN_FILES}
 * kills must land between two of its files: after recovery that step is whole, every file rewritten or every original
 * back with the helper removed.
 */
class CrashRecoveryTest {

    private static final int AGENTS = 12;
    private static final int KILLS = Integer.getInteger("crash.kills", 50);

    @TempDir
    Path dir;

    @Test
    void everyKillIsRecoveredToAConsistentState() throws Exception {
        Path db = dir.resolve("history.db");
        Path fleetRoot = dir.resolve("fleet");
        RolloutFleet fleet = RolloutFleet.create(fleetRoot, AGENTS);
        fleet.sharedModule(CrashChild.MODULE_LIBS);
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Map<String, Integer> killedIn = new TreeMap<>();
        int kills = 0;
        int runs = 0;
        try (HistoryDatabase history = HistoryDatabase.open(db)) {
            DeploymentStore store = new DeploymentStore(history);
            Recovery recovery = new Recovery(store, CrashChild.HOST);
            // How long a whole run takes from "ready" to exit, measured, so kill instants spread over all of it.
            long window = runToEnd(db, fleetRoot, "rollback");
            long planning = window; // from "ready" to the plan stored; shrinks like window
            // From the plan stored to the shared module's step written: one run in three is killed in it, between its files.
            long moduleWindow = moduleWindow(store, store.deployments(1).getFirst().id());
            fleet.reset();
            int betweenFiles = 0;
            while (kills < KILLS || betweenFiles < BETWEEN_FILES) {
                assertThat(runs++).as("runs needed for %d kills (seed %d)", KILLS, seed).isLessThan(KILLS * 3);
                String mode = runs % 2 == 0 ? "deploy" : "rollback";
                long before = store.deployments(1).stream().mapToLong(Deployment::id).findFirst().orElse(0);
                // One run in five is killed while it resolves and stores its plan, the others while they execute.
                boolean whilePlanning = runs % 5 == 0;
                boolean inModuleStep = !whilePlanning && runs % 3 == 1;
                long delay = (long) (random.nextDouble() * (whilePlanning ? planning : inModuleStep ? moduleWindow : window));
                Outcome outcome = killAfter(db, fleetRoot, mode, whilePlanning ? "ready" : "planned", delay);
                if (outcome.killed()) {
                    kills++;
                } else if (whilePlanning) {
                    planning = Math.max(1, Math.min(planning, outcome.millis()));
                } else {
                    window = Math.max(1, Math.min(window, outcome.millis())); // the fastest whole run bounds the instants
                }

                int rewritten = moduleFilesRewritten(fleet);
                if (outcome.killed() && rewritten > 0 && rewritten < fleet.moduleOriginals.size()) {
                    betweenFiles++;
                    killedIn.merge("between the files of one step", 1, Integer::sum);
                }
                recovery.recoverAll(AgentRuntime.NOT_RUNNING, fleet.lookup());

                String context = "run %d (%s, kill %d ms after %s, seed %d, %s)".formatted(runs, mode, delay,
                        whilePlanning ? "ready" : "planned", seed,
                        outcome.killed() ? "killed" : "finished first");
                assertThat(store.integrityCheck()).as(context).isEqualTo("ok");
                assertThat(recovery.interrupted()).as(context).isEmpty();
                assertThat(store.lockHolder()).as(context).isEmpty();
                try (Stream<Path> files = Files.list(fleetRoot.resolve("agents"))) {
                    assertThat(files.map(Path::toString).filter(p -> p.endsWith(".tmp"))).as(context).isEmpty();
                }
                try (Stream<Path> files = Files.list(fleetRoot.resolve("common"))) {
                    assertThat(files.map(Path::toString).filter(p -> p.endsWith(".tmp"))).as(context).isEmpty();
                }
                long latest = store.deployments(1).stream().mapToLong(Deployment::id).findFirst().orElse(0);
                Map<AgentId, StoredStep> steps = new HashMap<>();
                StoredStep moduleStep = null;
                if (latest > before) {
                    store.steps(latest).stream().filter(s -> s.module() == null).forEach(s -> steps.put(s.agent(), s));
                    moduleStep = store.steps(latest).stream().filter(s -> s.module() != null).findFirst().orElseThrow();
                    assertThat(ModuleChange.modulesOf(moduleStep.module())).as("the joint step of the module and its libs")
                            .hasSize(CrashChild.MODULE_LIBS + 1);
                    if (outcome.killed()) {
                        killedIn.merge(mode + ", then " + store.deployment(latest).orElseThrow().state(), 1, Integer::sum);
                    }
                } else if (outcome.killed()) {
                    killedIn.merge("before the plan was stored", 1, Integer::sum);
                }
                for (var agent : fleet.agents) {
                    byte[] original = fleet.originals.get(agent.id());
                    String onDisk = Checksums.sha256(agent.script().path());
                    StoredStep step = steps.get(agent.id());
                    String expected = step != null && step.state().changed() ? step.afterSha256() : Checksums.sha256(original);
                    assertThat(onDisk).as(context + ": " + agent.id() + " in state " + (step == null ? "-" : step.state()))
                            .isEqualTo(expected)
                            .isIn(Checksums.sha256(original), Checksums.sha256(RolloutFleet.edited(original)));
                }
                // The shared module's step is one unit: every file rewritten where it is applied, else every original
                // back and the helper it created gone.
                boolean applied = moduleStep != null && moduleStep.state().changed();
                for (Map.Entry<Path, byte[]> file : fleet.moduleOriginals.entrySet()) {
                    byte[] onDisk = Files.exists(file.getKey()) ? Files.readAllBytes(file.getKey()) : null;
                    String state = context + ": " + file.getKey().getFileName() + " of the module step in state "
                            + (moduleStep == null ? "-" : moduleStep.state());
                    if (applied) {
                        assertThat(onDisk).as(state).isNotNull();
                        assertThat(Checksums.sha256(onDisk)).as(state).isEqualTo(moduleStep.files().stream()
                                .filter(f -> f.file().equals(file.getKey())).findFirst().orElseThrow().afterSha256());
                    } else if (file.getValue() == null) {
                        assertThat(onDisk).as(state + ": the helper it created is removed").isNull();
                    } else {
                        assertThat(onDisk).as(state).isEqualTo(file.getValue());
                    }
                }
                fleet.reset();
            }
        }
        System.out.println("CrashRecoveryTest: %d kills in %d runs, seed %d, killed in: %s".formatted(kills, runs, seed, killedIn));
        assertThat(killedIn.keySet()).as("kills landed in different phases").hasSizeGreaterThan(2);
    }

    /** Kills that must land between two files of the shared module's step (a kill inside its window mostly does). */
    private static final int BETWEEN_FILES = 3;

    /** Milliseconds from the plan stored to the shared module's step written, from the journal of a whole run. */
    private static long moduleWindow(DeploymentStore store, long deployment) {
        List<io.fleetshell.engine.rollout.DeploymentJournal.Entry> journal = store.journal(deployment);
        java.time.Instant planned = journal.getFirst().at();
        long step = store.steps(deployment).stream().filter(s -> s.module() != null).findFirst().orElseThrow().id();
        java.time.Instant written = journal.stream().filter(e -> Long.valueOf(step).equals(e.stepId()) && e.action().equals("written"))
                .findFirst().orElseThrow().at();
        return Math.max(1, Duration.between(planned, written).toMillis());
    }

    /** How many of the shared module's files hold their rewrite now (the helper: exists). */
    private static int moduleFilesRewritten(RolloutFleet fleet) throws IOException {
        int rewritten = 0;
        for (Map.Entry<Path, byte[]> file : fleet.moduleOriginals.entrySet()) {
            if (file.getValue() == null ? Files.exists(file.getKey())
                    : !java.util.Arrays.equals(Files.readAllBytes(file.getKey()), file.getValue())) {
                rewritten++;
            }
        }
        return rewritten;
    }

    /** Whether the child was killed, or how long it ran from "ready" to its own exit. */
    private record Outcome(boolean killed, long millis) {
    }

    /** Runs the child to its end and returns how long it took from "ready" to exit, in ms. */
    private long runToEnd(Path db, Path fleetRoot, String mode) throws Exception {
        Process child = start(db, fleetRoot, mode);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");
            long start = System.nanoTime();
            String line = out.readLine();
            while (line != null && !line.startsWith("done")) {
                line = out.readLine();
            }
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(line).as("the uninterrupted run: " + new String(child.getErrorStream().readAllBytes()))
                    .startsWith("done");
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    /**
     * Starts the child and kills it {@code delayMillis} after it printed {@code marker} (ready: the kill can
     * fall while the plan is stored; planned: during execution), unless it exits first.
     */
    private Outcome killAfter(Path db, Path fleetRoot, String mode, String marker, long delayMillis) throws Exception {
        Process child = start(db, fleetRoot, mode);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            while (line != null && !line.equals(marker)) {
                line = out.readLine();
            }
            if (line == null) { // stderr only now: reading it waits for the child to exit
                throw new AssertionError("the child ended before '" + marker + "': " + new String(child.getErrorStream().readAllBytes()));
            }
            long start = System.nanoTime();
            if (child.waitFor(delayMillis, TimeUnit.MILLISECONDS)) {
                assertThat(child.exitValue()).as(new String(child.getErrorStream().readAllBytes())).isZero();
                return new Outcome(false, (System.nanoTime() - start) / 1_000_000);
            }
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
            return new Outcome(Await.exit(child, Duration.ofSeconds(60)) == 137, 0);
        }
    }

    private static Process start(Path db, Path fleetRoot, String mode) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                db.toString(), fleetRoot.toString(), String.valueOf(AGENTS), mode));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    }
}
