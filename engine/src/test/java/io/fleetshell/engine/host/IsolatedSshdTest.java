package io.fleetshell.engine.host;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The test harness's isolated host ({@link Sshd#startIsolated}): what fleetshell writes over ssh under the remote
 * root is on the host and not on this computer at the same path, a tree copied in is read back over ssh, a path made
 * read-only refuses the write, and the size-limited tmpfs refuses a file bigger than it; in both refusals the file
 * keeps its bytes.
 */
class IsolatedSshdTest {

    private static final long BYTES = 4L << 20;

    @TempDir
    static Path dir;
    static Path root;
    static Sshd sshd;
    static Host host;

    @BeforeAll
    static void start() throws Exception {
        root = dir.resolve("srv/fleet");
        sshd = Sshd.startIsolated(dir.resolve("sshd"), "isolated-host", root, BYTES);
        host = new SshHost("pc2", sshd.access(), "python3", new FleetHome(dir.resolve("home")).sshSockets());
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    @Test
    void aFileWrittenOverSshIsOnTheHostOnly() throws Exception {
        Path file = root.resolve("written/agent.py");
        host.createDirectories(file.getParent());
        byte[] content = "print('remote')\n".getBytes(StandardCharsets.UTF_8);
        host.write(file, file.resolveSibling(".agent.py.tmp"), content, null, Host.Ownership.TARGET);

        assertThat(host.read(file, 1 << 10)).isEqualTo(content);
        assertThat(sshd.sha256(file)).isEqualTo(Checksums.sha256(content));
        assertThat(file).doesNotExist();
        assertThat(Files.isDirectory(root)).isTrue();
        try (Stream<Path> here = Files.list(root)) {
            assertThat(here).isEmpty();
        }
        // A command run over ssh sees the same tree as the harness does.
        assertThat(host.run(ProcessRun.of("ls", root.toString()).timeout(Duration.ofSeconds(60))).stdout()).contains("written");
    }

    @Test
    void aTreeCopiedInIsReadOverSshAndNotTouchedHere() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("fleet tree/pc2_code"));
        Files.writeString(tree.resolve("agent it's.py"), "x = 1\n");
        sshd.copyIn(dir.resolve("fleet tree"), root.resolve("copied"));
        Path remote = root.resolve("copied/pc2_code/agent it's.py");

        assertThat(new String(host.read(remote, 1 << 10), StandardCharsets.UTF_8)).isEqualTo("x = 1\n");
        sshd.writeString(remote, "x = 2\n");
        assertThat(sshd.readString(remote)).isEqualTo("x = 2\n");
        assertThat(Files.readString(tree.resolve("agent it's.py"))).isEqualTo("x = 1\n");
        assertThat(sshd.exists(remote)).isTrue();
        assertThat(remote).doesNotExist();
    }

    @Test
    void aReadOnlyPathRefusesTheWriteAndKeepsTheFile() throws Exception {
        Path frozen = root.resolve("frozen");
        Path file = frozen.resolve("agent.py");
        sshd.inside("mkdir", "-p", frozen.toString());
        sshd.writeString(file, "original\n");
        sshd.readOnly(frozen);

        assertThatThrownBy(() -> host.write(file, frozen.resolve(".agent.py.tmp"), "changed\n".getBytes(StandardCharsets.UTF_8), null,
                Host.Ownership.TARGET)).hasMessageContaining("Read-only file system");
        assertThat(sshd.readString(file)).isEqualTo("original\n");
        assertThat(sshd.exists(frozen.resolve(".agent.py.tmp"))).isFalse();
    }

    @Test
    void theSizeLimitRefusesABiggerFile() throws Exception {
        Path file = root.resolve("full/big.bin");
        host.createDirectories(file.getParent());
        sshd.writeString(file, "small\n");

        assertThatThrownBy(() -> host.write(file, file.resolveSibling(".big.bin.tmp"), new byte[(int) BYTES + (1 << 20)], null,
                Host.Ownership.TARGET)).hasMessageContaining("No space left on device");
        assertThat(sshd.readString(file)).isEqualTo("small\n");
        assertThat(sshd.exists(file.resolveSibling(".big.bin.tmp"))).isFalse();
    }
}
