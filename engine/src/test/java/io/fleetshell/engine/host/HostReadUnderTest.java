package io.fleetshell.engine.host;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The two host operations that fold round trips of a remote optimize into one, the same on this computer and on an
 * isolated host behind a real sshd (its root exists only there): {@link Host#readUnder} reads a script only when it is
 * not a link and its directory resolves inside the root, and says what it found either way; {@link Host#prepareProof}
 * resolves the state directory, writes a proof's sibling and returns the names that were beside it with the prefix.
 */
class HostReadUnderTest {

    @TempDir
    static Path dir;
    static Path remoteRoot;
    static Sshd sshd;
    static Host remote;
    static Host local;

    @BeforeAll
    static void start() throws Exception {
        remoteRoot = dir.resolve("srv/fleet 'one'");
        sshd = Sshd.startIsolated(dir.resolve("sshd"), "read-under-host", remoteRoot, 4L << 20);
        remote = new SshHost("pc2", sshd.access(), "python3", new FleetHome(dir.resolve("home")).sshSockets());
        local = new LocalHost("local", Files.createDirectories(dir.resolve("local-home")));
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    static Stream<String> hosts() {
        return Stream.of("local", "ssh");
    }

    /** The fleet root of the host: on the isolated host the one that exists only there, here one of this computer's. */
    static Path root(String which) {
        return which.equals("ssh") ? remoteRoot : dir.resolve("local/fleet 'one'");
    }

    static Host host(String which) {
        return which.equals("ssh") ? remote : local;
    }

    /** Makes the same tree on either host with the same shell line, run there: a script, a link to it, a linked directory out. */
    static void tree(String which) throws Exception {
        Path root = root(which);
        ProcessResult made = host(which).run(ProcessRun.of("sh", "-c", "mkdir -p \"$1/agents dir\" \"$1/../outside\" && "
                + "printf 'import os\\n' > \"$1/agents dir/it's.py\" && printf 'x = 1\\n' > \"$1/../outside/out.py\" && "
                + "ln -sfn \"$1/agents dir/it's.py\" \"$1/agents dir/link.py\" && ln -sfn \"$1/../outside\" \"$1/escape\"", "sh", root.toString())
                .timeout(Duration.ofSeconds(60)));
        assertThat(made.exitStatus()).as(made.stderr()).isZero();
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void aScriptInsideTheRootIsReadWithItsStats(String which) throws Exception {
        tree(which);
        Path script = root(which).resolve("agents dir/it's.py");

        Host.Under under = host(which).readUnder(script, root(which), 1 << 20);

        assertThat(under.bytes()).isEqualTo("import os\n".getBytes(StandardCharsets.UTF_8));
        assertThat(under.readable()).isTrue();
        assertThat(under.file().orElseThrow().stat().regular()).isTrue();
        assertThat(under.root().orElseThrow().stat().type()).isEqualTo(FileStat.Type.DIRECTORY);
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void aLinkOrADirectoryLinkedOutOfTheRootIsNotRead(String which) throws Exception {
        tree(which);
        Host.Under link = host(which).readUnder(root(which).resolve("agents dir/link.py"), root(which), 1 << 20);
        Host.Under outside = host(which).readUnder(root(which).resolve("escape/out.py"), root(which), 1 << 20);
        Host.Under missing = host(which).readUnder(root(which).resolve("agents dir/none.py"), root(which), 1 << 20);

        assertThat(link.bytes()).isNull();
        assertThat(link.file().orElseThrow().stat().type()).isEqualTo(FileStat.Type.SYMLINK);
        assertThat(outside.bytes()).isNull();
        assertThat(outside.readable()).isFalse();
        assertThat(outside.file().orElseThrow().real()).isEqualTo(root(which).getParent().resolve("outside/out.py"));
        assertThat(missing.file()).isEmpty();
        assertThat(missing.bytes()).isNull();
        assertThatThrownBy(() -> host(which).readUnder(root(which).resolve("agents dir/it's.py"), root(which), 3))
                .hasMessageContaining("more than the");
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void aProofIsPreparedInOneOperation(String which) throws Exception {
        tree(which);
        Path directory = root(which).resolve("agents dir");
        Host host = host(which);
        host.writeFresh(directory.resolve(".it's.py.fleetshell-proof-p1-old.py"), new byte[]{1});
        Path sibling = directory.resolve(".it's.py.fleetshell-proof-p2-new.py");

        Host.Prepared prepared = host.prepareProof(sibling, "y = 2\n".getBytes(StandardCharsets.UTF_8), ".it's.py.fleetshell-");

        assertThat(prepared.siblings()).containsExactly(".it's.py.fleetshell-proof-p1-old.py");
        assertThat(prepared.stateDirectory()).isEqualTo(host.stateDirectory());
        assertThat(host.stat(prepared.stateDirectory()).orElseThrow().type()).isEqualTo(FileStat.Type.DIRECTORY);
        assertThat(host.read(sibling, 1 << 10)).isEqualTo("y = 2\n".getBytes(StandardCharsets.UTF_8));
        assertThat(host.prepareProof(sibling, new byte[0], ".it's.py.fleetshell-").siblings())
                .containsExactly(".it's.py.fleetshell-proof-p1-old.py", ".it's.py.fleetshell-proof-p2-new.py");
        if (which.equals("ssh")) {
            assertThat(Files.exists(sibling)).as("written on the isolated host, not here").isFalse();
        }
    }
}
