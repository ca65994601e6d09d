package io.fleetshell.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.python.Profiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 17, items 1, 3 and 6, as fixtures on real files: what a script read refuses before reading (a FIFO that would
 * block forever, a device, a directory, a symlink, a file too large, a directory swapped for a symlink out of the
 * fleet root), and state paths under FLEETSHELL_HOME that stay there whatever an agent or machine is called.
 */
class SafetyCorpusTest {

    @TempDir
    Path dir;

    @Test
    void issue17_6_aFifoAsScriptIsRefusedBeforeItIsOpened() throws Exception {
        Path fifo = dir.resolve("agent.py");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

        assertThatThrownBy(() -> Checksums.sha256(fifo)).isInstanceOf(FleetshellException.class)
                .hasMessage(fifo + " is a FIFO (named pipe), not a regular file: fleetshell reads a script only from a regular file, "
                        + "so it refused it before reading. Point script_path at the file itself");
    }

    @Test
    void issue17_6_aDeviceADirectoryAndASymlinkAreRefusedAsScripts() throws IOException {
        assertThatThrownBy(() -> SafeFiles.readScript(Path.of("/dev/zero")))
                .hasMessageStartingWith("/dev/zero is a character device, not a regular file");
        assertThatThrownBy(() -> SafeFiles.readScript(dir)).hasMessageStartingWith(dir + " is a directory, not a regular file");
        Path link = Files.createSymbolicLink(dir.resolve("link.py"), Files.writeString(dir.resolve("real.py"), "x = 1\n"));
        assertThatThrownBy(() -> SafeFiles.readScript(link))
                .hasMessageStartingWith(link + " is a symbolic link to " + dir.resolve("real.py") + ", not a regular file");
    }

    @Test
    void issue17_6_everyScriptReadIsBounded() throws IOException {
        Path large = dir.resolve("generated.py");
        try (RandomAccessFile file = new RandomAccessFile(large.toFile(), "rw")) {
            file.setLength(SafeFiles.SCRIPT_LIMIT + 1); // sparse: nothing is written
        }
        assertThatThrownBy(() -> SafeFiles.readScript(large)).isInstanceOf(FleetshellException.class)
                .hasMessage(large + " is 67108865 bytes, more than the 64 MB fleetshell reads as a script: refused");
    }

    @Test
    void issue17_1_aScriptReadThroughADirectorySwappedForASymlinkOutOfTheRootIsRefused() throws IOException {
        Path root = Files.createDirectories(dir.resolve("fleet"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("async_processor.py"), "SECRET = 1\n");
        Files.createSymbolicLink(root.resolve("agents"), outside);
        Path script = root.resolve("agents/async_processor.py");

        assertThatThrownBy(() -> SafeFiles.readScript(root, script)).isInstanceOf(FleetshellException.class)
                .satisfies(e -> assertThat(((FleetshellException) e).code()).isEqualTo(ErrorCode.PATH_ESCAPES_ROOT))
                .hasMessage(script + " resolves to " + outside.toRealPath().resolve("async_processor.py") + ", outside the fleet root "
                        + root.toRealPath() + " (a directory on the way is a symlink out of the root): refused, nothing was read or "
                        + "written. Replace the symlink with the directory it stands for");
    }

    @Test
    void issue17_5_aTruncatedBytecodeFileInFleetshellsCacheIsRepairedNotBlamedOnTheAgent() throws IOException {
        Path fleet = Files.createDirectories(dir.resolve("fleet"));
        Path cache = dir.resolve("home/cache/pycache");
        Files.writeString(fleet.resolve("helper_mod.py"), "Y = 1\n");
        Path script = Files.writeString(fleet.resolve("agent.py"), "import helper_mod\nX = helper_mod.Y\n");
        ProfileTarget target = new ProfileTarget(new AgentId("m1", "Agent"), script, "python3", fleet, Map.of());
        try (Profiler profiler = new Profiler(Duration.ofSeconds(60), cache)) {
            assertThat(profiler.sample(target, 1).ok()).isTrue();
            Path pyc;
            try (Stream<Path> files = Files.walk(cache)) {
                pyc = files.filter(p -> p.getFileName().toString().startsWith("helper_mod.")).findFirst().orElseThrow();
            }
            byte[] whole = Files.readAllBytes(pyc);
            Files.write(pyc, Arrays.copyOf(whole, 20)); // what a full disk leaves: a valid header, a cut body

            LoadSample sample = profiler.sample(target, 2);

            assertThat(sample.ok()).as("%s", sample.error()).isTrue();
            assertThat(Files.size(pyc)).isEqualTo(whole.length);
        }
    }

    @Test
    void issue17_weak_theDiffOfALatin1CrlfFileAppliesWithPatchByteForByte() throws Exception {
        byte[] before = "# caf\u00e9\r\nimport json\r\nimport xmlrpc.client\r\nX = json.dumps(1)\r\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] after = "# caf\u00e9\r\nimport json\r\nX = json.dumps(1)\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path file = Files.write(dir.resolve("agent.py"), before);
        io.fleetshell.engine.pattern.Rewrite rewrite = new io.fleetshell.engine.pattern.Rewrite("dependency_reduction", file, before,
                after, java.util.List.of());
        Path diff = Files.write(dir.resolve("change.diff"), rewrite.unifiedDiffBytes());

        Process patch = new ProcessBuilder("patch", file.toString(), diff.toString()).redirectErrorStream(true).start();
        String output = new String(patch.getInputStream().readAllBytes());

        assertThat(patch.waitFor()).as(output).isZero();
        assertThat(Files.readAllBytes(file)).isEqualTo(after);
        assertThat(rewrite.unifiedDiff()).contains("-import xmlrpc.client\r\n").contains(" # caf\u00e9\r\n");
    }

    @Test
    void issue17_3_stateFilesStayUnderTheHomeWhateverTheNames() {
        FleetHome home = FleetHome.from(Map.of(FleetHome.VARIABLE, dir.resolve("home").toString()), "/nonexistent");

        Path log = home.agentLog("pc2", "../../../../../tmp/x/NAME");
        Path pid = home.agentPidFile("..", ".hidden");

        assertThat(log).isEqualTo(home.logs().resolve("pc2").resolve("%2E.%2F..%2F..%2F..%2F..%2Ftmp%2Fx%2FNAME.log"));
        assertThat(pid).isEqualTo(home.run().resolve("%2E.").resolve("%2Ehidden.json"));
        assertThat(home.agentLog("pc2", "TutorAgent")).isEqualTo(home.logs().resolve("pc2/TutorAgent.log"));
        assertThat(FleetHome.fileName("a/b")).isNotEqualTo(FleetHome.fileName("a%2Fb"));
    }
}
