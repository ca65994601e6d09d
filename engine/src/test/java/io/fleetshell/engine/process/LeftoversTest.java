package io.fleetshell.engine.process;

import io.fleetshell.engine.inventory.ScriptResolver;
import io.fleetshell.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17 item 7 and issue 18 item 1's sweep: a fleetshell process killed with SIGKILL during a Python proof leaves
 * the proof's process group running, its hidden sibling in the fleet and its temporary file; the sweep of the next
 * start (and of {@code deploy recover}) kills the group and removes both, and the sibling is never taken for an agent.
 */
class LeftoversTest {

    @TempDir
    Path dir;

    @Test
    void aKilledFleetshellsProofGroupSiblingAndTempFileAreSweptAndTheSiblingIsNoAgent() throws Exception {
        Path registry = dir.resolve("home/run/children");
        Path fleet = Files.createDirectories(dir.resolve("fleet/agents"));
        Path script = Files.writeString(fleet.resolve("sleeper.py"), "import time\ntime.sleep(600)\n");
        // the child's temporary directory is this test's own: a fleetshell started meanwhile elsewhere on the machine
        // would sweep the shared one, as it should, before the assertions below could see the leftovers
        Path temp = Files.createDirectories(dir.resolve("tmp"));
        Process child = start(registry, script, temp);
        long pgid;
        try {
            Await.line(child, "proving", Duration.ofSeconds(60));
            // the load of the original (its module body sleeps) is running once its group is recorded
            pgid = Await.value("the proof's load recorded in " + registry, Duration.ofSeconds(120), () -> loadGroup(registry));
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs in the child
        }
        Await.exit(child, Duration.ofSeconds(60));
        long childPid = child.pid();
        assertThat(alive(pgid)).as("the proof's load outlived its fleetshell").isTrue();
        List<Path> siblings = siblings(fleet);
        assertThat(siblings).singleElement().satisfies(p -> assertThat(p.getFileName().toString())
                .startsWith(".sleeper.py.fleetshell-proof-p" + childPid + "-"));
        // A proof passes its programs with -c and writes no temporary file while it loads; one of a counting replay
        // (agent_run.py's counts) stands for what a fleetshell killed during a replay leaves in the temporary directory.
        Files.writeString(temp.resolve("fleetshell-counts-p" + childPid + "-0badf00d.json"), "{}");
        List<Path> temps = tempFilesOf(temp, childPid);
        assertThat(temps).isNotEmpty();
        assertThat(new ScriptResolver(dir.resolve("fleet")).resolve("agents/missing.py", siblings.getFirst().getFileName().toString(),
                dir.resolve("fleet/startup_config.yaml"), 1).found()).as("a leftover is never found as an agent's script").isFalse();

        Leftovers.Swept swept = Leftovers.sweep(registry, temp, List.of(fleet));

        assertThat(swept.killed()).singleElement().asString().startsWith("group " + pgid + ": ").contains("(owner pid " + childPid + ")");
        Await.until("the leftover group is gone", Duration.ofSeconds(60), () -> !alive(pgid));
        assertThat(swept.removed()).containsAll(siblings).containsAll(temps);
        assertThat(siblings(fleet)).isEmpty();
        assertThat(tempFilesOf(temp, childPid)).isEmpty();
        assertThat(registry).isEmptyDirectory();
        assertThat(swept.summary()).startsWith("left by a fleetshell process that was killed: killed 1 process group (group " + pgid);
    }

    @Test
    void aLiveFleetshellsFilesAreLeftAlone() throws IOException {
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Path mine = Files.writeString(fleet.resolve(".a.py.fleetshell-proof" + Leftovers.mark() + "abcd1234.py"), "x = 1\n");
        Path temp = Leftovers.newTempFile("load-probe", ".py");
        try {
            Leftovers.Swept swept = Leftovers.sweep(dir.resolve("children"), temp.getParent(), List.of(fleet));

            assertThat(swept.removed()).doesNotContain(mine, temp);
            assertThat(mine).exists();
            assertThat(temp).exists();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Optional<Long> loadGroup(Path registry) {
        if (!Files.isDirectory(registry)) {
            return Optional.empty();
        }
        try (Stream<Path> records = Files.list(registry)) {
            for (Path record : records.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                var node = JsonMapper.builder().build().readTree(Files.readAllBytes(record));
                // the proof's loads run under load_runner.py (their requests on its stdin); its group holds the load
                if (node.path("command").toString().contains("Runs a sequence of fresh-process loads")) {
                    return Optional.of(node.path("pgid").asLong());
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Alive and not a zombie (a container's init may not reap the orphans it inherits at once). */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Path> siblings(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> Leftovers.isHiddenSibling(p.getFileName().toString())).toList();
        }
    }

    private static List<Path> tempFilesOf(Path temp, long pid) throws IOException {
        try (Stream<Path> files = Files.list(temp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("fleetshell-")
                    && p.getFileName().toString().contains("-p" + pid + "-")).toList();
        }
    }

    private static Process start(Path registry, Path script, Path temp) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + temp, "-cp",
                System.getProperty("java.class.path"),
                ProofChild.class.getName(), registry.toString(), script.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}
