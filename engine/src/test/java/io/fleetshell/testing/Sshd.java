package io.fleetshell.testing;

import io.fleetshell.engine.host.SshAccess;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import io.fleetshell.engine.host.SshAccess;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server for tests (Debian's {@code openssh-server}): {@code /usr/sbin/sshd -D -e -f CONFIG -p PORT}
 * on 127.0.0.1, running as the current user, with a host key and a user key generated for it, the user key as its
 * only authorized key ({@code StrictModes no}, so the test's temporary directory needs no special modes), and a
 * client side to match: a {@code known_hosts} holding its host key and an {@code ssh_config} whose {@code Host}
 * alias ({@link #alias()}) names the address, port, user, key and known_hosts, with {@code StrictHostKeyChecking yes}.
 * {@link #access()} is the machine setting that reaches it. Closing it stops the server.
 */
public final class Sshd implements AutoCloseable {

    /** A connection, key exchange and login included, on a loaded machine. */
    private static final Duration START = Duration.ofSeconds(60);
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path directory;
    private final int port;
    private final String alias;
    private final Process process;

    private Sshd(Path directory, int port, String alias, Process process) {
        this.directory = directory;
        this.port = port;
        this.alias = alias;
        this.process = process;
    }

    /** Starts a server whose files live in {@code directory} (created), reachable as the ssh alias {@code alias}. */
    public static Sshd start(Path directory, String alias) throws IOException, InterruptedException {
        if (!Files.isExecutable(SSHD)) {
            throw new IllegalStateException(SSHD + " is missing: apt-get install openssh-server (.ci/run installs it)");
        }
        Files.createDirectories(directory);
        keygen(directory.resolve("host_ed25519"));
        keygen(directory.resolve("id_ed25519"));
        Files.copy(directory.resolve("id_ed25519.pub"), directory.resolve("authorized_keys"));
        if ("root".equals(System.getProperty("user.name"))) {
            // sshd started by root separates privileges into this directory and refuses to start without it.
            Files.createDirectories(Path.of("/run/sshd"));
        }
        String user = System.getProperty("user.name");
        Files.writeString(directory.resolve("sshd_config"), String.join("\n",
                "ListenAddress 127.0.0.1",
                "HostKey " + directory.resolve("host_ed25519"),
                "PidFile " + directory.resolve("sshd.pid"),
                "AuthorizedKeysFile " + directory.resolve("authorized_keys"),
                "AllowUsers " + user,
                "StrictModes no",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "PermitRootLogin prohibit-password",
                "MaxSessions 200",
                "MaxStartups 200",
                "PrintMotd no",
                "Subsystem sftp internal-sftp",
                "LogLevel INFO",
                ""));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Ports.free();
            Process process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", directory.resolve("sshd_config").toString(), "-p",
                    Integer.toString(port)).redirectErrorStream(true).redirectOutput(directory.resolve("sshd.log").toFile()).start();
            if (listening(process, port)) {
                String hostKey = Files.readString(directory.resolve("host_ed25519.pub")).strip();
                Files.writeString(directory.resolve("known_hosts"), "[127.0.0.1]:%d %s%n".formatted(port, hostKey));
                Files.writeString(directory.resolve("ssh_config"), String.join("\n",
                        "Host " + alias,
                        "  HostName 127.0.0.1",
                        "  Port " + port,
                        "  User " + user,
                        "  IdentityFile " + directory.resolve("id_ed25519"),
                        "  IdentitiesOnly yes",
                        "  UserKnownHostsFile " + directory.resolve("known_hosts"),
                        "  GlobalKnownHostsFile /dev/null",
                        "  StrictHostKeyChecking yes",
                        ""));
                return new Sshd(directory, port, alias, process);
            }
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            last = new IOException("sshd did not listen on port %d: %s".formatted(port, Files.readString(directory.resolve("sshd.log"))));
        }
        throw last;
    }

    private static boolean listening(Process process, int port) {
        try {
            Await.until("sshd listening on 127.0.0.1:" + port + " (or exiting)", START, () -> !process.isAlive() || connects(port));
        } catch (AssertionError e) {
            return false;
        }
        return process.isAlive();
    }

    private static boolean connects(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void keygen(Path key) throws IOException, InterruptedException {
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fleetshell-test", "-f", key.toString())
                .redirectErrorStream(true).start();
        String output = new String(keygen.getInputStream().readAllBytes());
        if (Await.exit(keygen, START) != 0) {
            throw new IOException("ssh-keygen failed for " + key + ": " + output);
        }
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }

    /** The {@code Host} alias of {@link #sshConfig()} that reaches this server. */
    public String alias() {
        return alias;
    }

    public int port() {
        return port;
    }

    /** The client config naming the alias, address, port, user, key and known_hosts. */
    public Path sshConfig() {
        return directory.resolve("ssh_config");
    }

    public Path knownHosts() {
        return directory.resolve("known_hosts");
    }

    /** The user's private key the server accepts. */
    public Path identity() {
        return directory.resolve("id_ed25519");
    }

    /** What the server logged (refused logins and their reasons). */
    public String log() throws IOException {
        return Files.readString(directory.resolve("sshd.log"));
    }

    /** The machine setting that reaches this server through its client config. */
    public SshAccess access() {
        return new SshAccess(alias, null, null, sshConfig(), Map.of(), false, SshAccess.DEFAULT_FORKS, directory.resolve("state").toString());
    }

    /** The client's argument list for running {@code command} (one line for the remote shell) on this server. */
    public List<String> ssh(String command) {
        return List.of("ssh", "-F", sshConfig().toString(), "-o", "BatchMode=yes", alias, command);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
