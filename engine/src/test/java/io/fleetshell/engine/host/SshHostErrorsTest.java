package io.fleetshell.engine.host;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.testing.Await;
import io.fleetshell.testing.Ports;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A host that cannot be reached, or reached without trust, is an error naming the machine, how it was tried and
 * ssh's own line, before anything runs on it; and never a prompt.
 */
class SshHostErrorsTest {

    @TempDir
    static Path dir;
    static Sshd sshd;
    static FleetHome home;

    @BeforeAll
    static void start() throws Exception {
        sshd = Sshd.start(dir.resolve("sshd"), "errors-host");
        home = new FleetHome(dir.resolve("home"));
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    private static Host host(SshAccess access) {
        return new SshHost("pc2", access, "python3", home.sshSockets());
    }

    @Test
    void aRefusedConnectionNamesTheHostAndSshsLine() {
        int closed = Ports.free();
        Host host = host(new SshAccess("127.0.0.1", closed, sshd.identity(), null, Map.of("UserKnownHostsFile", sshd.knownHosts().toString()),
                false, 10, null));
        assertThatThrownBy(() -> host.run(ProcessRun.of("true").timeout(Duration.ofSeconds(60))))
                .isInstanceOf(CannotStartException.class)
                .hasMessageContaining("cannot reach machine pc2 over ssh (127.0.0.1:" + closed + ")")
                .hasMessageContaining("Connection refused");
        assertThatThrownBy(() -> host.read(dir.resolve("x"), 10)).hasMessageContaining("Connection refused");
    }

    @Test
    void anUnknownHostKeyIsRefusedNotAccepted() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
        Host host = host(new SshAccess("127.0.0.1", sshd.port(), sshd.identity(), null,
                Map.of("UserKnownHostsFile", empty.toString(), "GlobalKnownHostsFile", "/dev/null", "StrictHostKeyChecking", "yes"), false, 10, null));
        assertThatThrownBy(() -> host.run(ProcessRun.of("true").timeout(Duration.ofSeconds(60))))
                .hasMessageContaining("Host key verification failed");
        assertThat(Files.readString(empty)).isEmpty();
    }

    @Test
    void acceptNewIsUsedOnlyWhenConfigured() throws Exception {
        Path fresh = Files.writeString(dir.resolve("fresh_known_hosts"), "");
        Host host = host(new SshAccess("127.0.0.1", sshd.port(), sshd.identity(), null,
                Map.of("UserKnownHostsFile", fresh.toString(), "GlobalKnownHostsFile", "/dev/null", "StrictHostKeyChecking", "accept-new"), false, 10, null));
        assertThat(host.run(ProcessRun.of("true").timeout(Duration.ofSeconds(60))).ok()).isTrue();
        // Debian's client hashes the host's name (HashKnownHosts); the key itself is in clear.
        String hostKey = Files.readString(sshd.knownHosts()).strip().split(" ")[2];
        assertThat(Files.readString(fresh)).contains(hostKey);
    }

    @Test
    void aWrongKeyIsRefusedWithoutAPrompt() throws Exception {
        Path other = dir.resolve("other_key");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()).start();
        assertThat(keygen.waitFor()).isZero();
        Host host = host(new SshAccess("127.0.0.1", sshd.port(), other, null,
                Map.of("UserKnownHostsFile", sshd.knownHosts().toString(), "GlobalKnownHostsFile", "/dev/null"), false, 10, null));
        assertThatThrownBy(() -> host.stat(dir))
                .hasMessageContaining("cannot reach machine pc2")
                .hasMessageContaining("Permission denied");
    }

    @Test
    void aMissingInterpreterSaysWhichSettingToFix() {
        Host host = new SshHost("pc2", sshd.access(), "/opt/no-such/python3", home.sshSockets());
        assertThatThrownBy(() -> host.stat(dir))
                .hasMessageContaining("the interpreter /opt/no-such/python3 is not on the host")
                .hasMessageContaining("machines.pc2.python");
    }

    @Test
    void aMasterKilledWithItsSocketLeftIsReplacedByANewOne() throws Exception {
        SshHost host = new SshHost("pc2", sshd.access(), "python3", home.sshSockets());
        assertThat(host.stat(dir)).isPresent();
        long first = masterPid(host);
        new ProcessBuilder("kill", "-KILL", Long.toString(first)).start().waitFor();
        Await.until("master " + first + " gone", Duration.ofSeconds(30), () -> !ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false));
        assertThat(host.controlPath()).exists();

        assertThat(host.stat(dir)).isPresent();
        // A new master listens on the socket: the operations share one connection again instead of each connecting alone.
        assertThat(masterPid(host)).isNotEqualTo(first);
    }

    private static long masterPid(SshHost host) throws Exception {
        java.util.List<String> check = new java.util.ArrayList<>(host.options("no"));
        check.addAll(java.util.List.of("-O", "check", "--", host.access().destination()));
        Process process = new ProcessBuilder(check).redirectErrorStream(true).start();
        String said = new String(process.getInputStream().readAllBytes());
        assertThat(Await.exit(process, Duration.ofSeconds(30))).as(said).isZero();
        java.util.regex.Matcher pid = java.util.regex.Pattern.compile("pid=(\\d+)").matcher(said);
        assertThat(pid.find()).as(said).isTrue();
        return Long.parseLong(pid.group(1));
    }
}
