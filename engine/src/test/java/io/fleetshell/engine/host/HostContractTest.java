package io.fleetshell.engine.host;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.StartedProcess;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The same contract for this computer and for a machine behind a real sshd on loopback: argument lists arrive
 * byte-exact (spaces, quotes, dollars), the working directory, environment and stdin apply, a timeout kills the
 * process tree on the host, and the file operations read, stat, resolve, write atomically (read back by sha256) and
 * delete the host's files.
 */
class HostContractTest {

    @TempDir
    static Path dir;
    static Sshd sshd;
    static Host remote;
    static Host local;

    @BeforeAll
    static void start() throws Exception {
        sshd = Sshd.start(dir.resolve("sshd"), "contract-host");
        FleetHome home = new FleetHome(dir.resolve("home"));
        remote = new SshHost("pc2", sshd.access(), "python3", home.sshSockets());
        local = new LocalHost("local", home.root());
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    static Stream<String> hosts() {
        return Stream.of("local", "ssh");
    }

    static Host host(String which) {
        return which.equals("local") ? local : remote;
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void argumentsDirectoryEnvironmentAndStdinArriveAsGiven(String which) throws Exception {
        Path work = Files.createDirectories(dir.resolve(which + " work dir 'quoted'"));
        List<String> args = List.of("a b", "it's", "$HOME", "\"x\"", "", "; rm -rf /", "back\\slash");
        ProcessResult result = host(which).run(ProcessRun.of("python3", "-c",
                        "import json,os,sys; print(json.dumps([sys.argv[1:], os.getcwd(), os.environ.get('GREETING'), 'HOME' in os.environ, sys.stdin.read()]))")
                .environment(Map.of("GREETING", "hello 'there' $USER")).without("HOME").stdin("from stdin\n".getBytes(StandardCharsets.UTF_8))
                .in(work).timeout(Duration.ofSeconds(60)).keep(1 << 16, 1 << 16)
                .environment("UNUSED", "1"));
        // A program's own arguments come after the -c source.
        assertThat(result.exitStatus()).as(result.stderr()).isZero();
        assertThat(result.command().getFirst()).isEqualTo("python3");
        assertThat(result.report()).isEqualTo("[[], \"%s\", \"hello 'there' $USER\", false, \"from stdin\\n\"]".formatted(work.toRealPath()));
        ProcessResult echoed = host(which).run(ProcessRun.of(java.util.stream.Stream.concat(Stream.of("printf", "%s|"), args.stream()).toList())
                .timeout(Duration.ofSeconds(60)));
        assertThat(echoed.stdout()).isEqualTo(String.join("|", args) + "|");
        assertThat(sessionFiles()).as("the remote session files left in the state directory").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void exitStatusAndStderrComeBack(String which) throws Exception {
        ProcessResult result = host(which).run(ProcessRun.of("sh", "-c", "echo out; echo err >&2; exit 7").timeout(Duration.ofSeconds(60)));
        assertThat(result.exitStatus()).isEqualTo(7);
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).isEqualTo("err\n");
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void aMissingProgramOrDirectoryCannotStart(String which) {
        assertThatThrownBy(() -> host(which).run(ProcessRun.of("no-such-program-here").timeout(Duration.ofSeconds(60))))
                .isInstanceOf(CannotStartException.class).hasMessageContaining("no-such-program-here");
        assertThatThrownBy(() -> host(which).run(ProcessRun.of("true").in(dir.resolve("missing dir")).timeout(Duration.ofSeconds(60))))
                .isInstanceOf(CannotStartException.class).hasMessageContaining("missing dir");
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void aTimeoutKillsTheTreeOnTheHost(String which) throws Exception {
        Path marker = dir.resolve(which + "-timeout.pid");
        ProcessResult result = host(which).run(ProcessRun.of("sh", "-c", "sleep 300 & echo $! > '%s'; wait".formatted(marker))
                .timeout(Duration.ofSeconds(3)));
        assertThat(result.timedOut()).isTrue();
        long pid = Long.parseLong(Files.readString(marker).strip());
        Await.until("the grandchild " + pid + " to be killed", Duration.ofSeconds(30), () -> ProcessHandle.of(pid).isEmpty());
        assertThat(sessionFiles()).as("the remote session files left in the state directory").isEmpty();
    }

    /** What the ssh runs keep in the machine's state directory while they run (one session id file each). */
    static List<Path> sessionFiles() throws java.io.IOException {
        Path run = Path.of(sshd.access().stateDir(), "run");
        if (!Files.isDirectory(run)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(run)) {
            return files.toList();
        }
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void stoppingAStartedProcessStopsItOnTheHost(String which) throws Exception {
        Path marker = dir.resolve(which + "-started.pid");
        StartedProcess started = host(which).start(ProcessRun.of("sh", "-c", "sleep 300 & echo $! > '%s'; wait".formatted(marker)));
        Await.until("the started child to write its pid", Duration.ofSeconds(60), () -> Files.exists(marker) && marker.toFile().length() > 0);
        long pid = Long.parseLong(Files.readString(marker).strip());
        assertThat(ProcessHandle.of(pid)).isPresent();
        started.close();
        Await.until("the started grandchild " + pid + " to be stopped", Duration.ofSeconds(30), () -> ProcessHandle.of(pid).isEmpty());
        assertThat(sessionFiles()).as("the remote session files left in the state directory").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void filesAreReadStattedResolvedWrittenAndDeleted(String which) throws Exception {
        Host host = host(which);
        Path folder = Files.createDirectories(dir.resolve(which + " files \"q\" 'x'"));
        Path file = folder.resolve("agent it's.py");
        Files.writeString(file, "print('old')\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(folder.resolve("link.py"), file);

        FileStat stat = host.stat(file).orElseThrow();
        assertThat(stat.regular()).isTrue();
        assertThat(stat.mode()).isEqualTo(0750);
        assertThat(stat.size()).isEqualTo(13);
        assertThat(stat.owner()).isEqualTo(System.getProperty("user.name"));
        assertThat(stat.mtime()).isEqualTo(Files.getLastModifiedTime(file).toInstant());
        assertThat(host.stat(folder.resolve("link.py")).orElseThrow().type()).isEqualTo(FileStat.Type.SYMLINK);
        assertThat(host.stat(folder.resolve("absent"))).isEmpty();
        assertThat(host.exists(file)).isTrue();
        assertThat(host.realPath(folder.resolve("link.py"))).isEqualTo(file.toRealPath());
        assertThatThrownBy(() -> host.realPath(folder.resolve("absent"))).isInstanceOf(NoSuchFileException.class);

        assertThat(host.read(file, 1000)).isEqualTo("print('old')\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> host.read(file, 5)).hasMessageContaining("13 bytes");
        assertThatThrownBy(() -> host.read(folder.resolve("link.py"), 1000)).isNotInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> host.read(folder.resolve("absent"), 1000)).isInstanceOf(NoSuchFileException.class);

        byte[] content = new byte[300_000];
        new java.util.Random(7).nextBytes(content);
        Host.Written written = host.write(file, folder.resolve(".agent it's.py.tmp"), content, file.toRealPath(), Host.Ownership.TARGET);
        assertThat(written.sha256()).isEqualTo(Checksums.sha256(content));
        assertThat(written.notKept()).isNull();
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rwxr-x---");
        assertThat(Files.exists(folder.resolve(".agent it's.py.tmp"))).isFalse();

        host.write(file, folder.resolve(".t"), "x".getBytes(StandardCharsets.UTF_8), null, new Host.Ownership(0600, null, null));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        assertThat(host.delete(file)).isTrue();
        assertThat(host.delete(file)).isFalse();
        assertThat(Files.exists(file)).isFalse();
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void aWriteThroughASwappedDirectoryIsRefusedAndLeavesTheOriginal(String which) throws Exception {
        Host host = host(which);
        Path real = Files.createDirectories(dir.resolve(which + "-real"));
        Path elsewhere = Files.createDirectories(dir.resolve(which + "-elsewhere"));
        Path file = real.resolve("a.py");
        Files.writeString(file, "original\n");
        Files.writeString(elsewhere.resolve("a.py"), "other\n");
        Path planned = file.toRealPath();
        Path swapped = dir.resolve(which + "-swapped");
        Files.createSymbolicLink(swapped, elsewhere);
        assertThatThrownBy(() -> host.write(swapped.resolve("a.py"), swapped.resolve(".a.tmp"), "new\n".getBytes(StandardCharsets.UTF_8), planned,
                Host.Ownership.TARGET)).isInstanceOf(FleetshellException.class).hasMessageContaining("nothing was written");
        assertThat(Files.readString(elsewhere.resolve("a.py"))).isEqualTo("other\n");
        assertThat(Files.readString(file)).isEqualTo("original\n");
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void aTreeIsCopiedWithItsReplacementsAndDeletedAndAFreshFileReplacesALink(String which) throws Exception {
        Host host = host(which);
        Path root = Files.createDirectories(dir.resolve(which + " fleet 'root'"));
        Files.createDirectories(root.resolve("agents/__pycache__"));
        Files.createDirectories(root.resolve(".git"));
        Files.writeString(root.resolve("agents/a.py"), "x = 1\n");
        Files.writeString(root.resolve("agents/__pycache__/a.pyc"), "cache");
        Files.writeString(root.resolve(".git/HEAD"), "ref");
        Files.writeString(root.resolve("tests.py"), "assert True\n");
        Files.createSymbolicLink(root.resolve("outside"), Path.of("/etc"));
        Path copy = host.temporaryDirectory().resolve("fleetshell-proof-fleet-contract-" + which);
        host.copyTree(root, copy, Map.of("agents/a.py", "x = 2\n".getBytes(StandardCharsets.UTF_8)));
        try {
            assertThat(Files.readString(copy.resolve("agents/a.py"))).isEqualTo("x = 2\n");
            assertThat(Files.readString(copy.resolve("tests.py"))).isEqualTo("assert True\n");
            assertThat(copy.resolve("agents/__pycache__")).doesNotExist();
            assertThat(copy.resolve(".git")).doesNotExist();
            assertThat(Files.exists(copy.resolve("outside"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
            assertThat(Files.readString(root.resolve("agents/a.py"))).isEqualTo("x = 1\n");
        } finally {
            assertThat(host.deleteTree(copy)).isTrue();
        }
        assertThat(copy).doesNotExist();
        assertThat(host.deleteTree(copy)).isFalse();
        assertThatThrownBy(() -> host.copyTree(root, dir.resolve(which + "-no-parent/copy"), Map.of())).isInstanceOf(java.io.IOException.class);

        Path sibling = root.resolve(".a.py.fleetshell-proof-contract.py");
        Path planted = Files.writeString(dir.resolve(which + "-planted"), "keep");
        Files.createSymbolicLink(sibling, planted);
        host.writeFresh(sibling, "y = 1\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.isSymbolicLink(sibling)).isFalse();
        assertThat(Files.readString(sibling)).isEqualTo("y = 1\n");
        assertThat(Files.readString(planted)).isEqualTo("keep");
    }
}
