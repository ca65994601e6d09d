package io.fleetshell.testing;

import io.fleetshell.engine.host.SshAccess;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server for tests (Debian's {@code openssh-server}): {@code /usr/sbin/sshd -D -e -f CONFIG -p PORT}
 * on 127.0.0.1, running as the current user, with a host key and a user key generated for it, the user key as its
 * only authorized key ({@code StrictModes no}, so the test's temporary directory needs no special modes), and a
 * client side to match: a {@code known_hosts} holding its host key and an {@code ssh_config} whose {@code Host}
 * alias ({@link #alias()}) names the address, port, user, key and known_hosts, with {@code StrictHostKeyChecking yes}.
 * {@link #access()} is the machine setting that reaches it. Closing it stops the server.
 *
 * <p>A server on loopback as the same user sees this computer's files, which hides every place that still reads or
 * writes here instead of on the host. {@link #startIsolated} (root only: CI and the dev machine run as root) starts
 * sshd in a mount namespace of its own ({@code unshare --mount --propagation private}) with a fresh tmpfs, optionally
 * size-limited, mounted at a "remote root": what a test or fleetshell writes there over ssh lives only in that
 * namespace, and the same path seen from this JVM stays an empty directory. The rest of the file system is shared, so
 * the server's keys, its state directory and the test's own files stay visible on both sides. Use {@link #copyIn} to
 * put a fleet tree there, {@link #readString}, {@link #writeString}, {@link #sha256} and {@link #exists} to look at
 * and change the host's files without going through fleetshell, {@link #readOnly} to make a path read-only there (a
 * bind mount remounted {@code ro}), and a small {@code bytes} limit for a full disk. These helpers enter the namespace
 * with {@code nsenter -t PID -m} and need no ssh connection. The user's shell start-up files ({@code ~/.bashrc},
 * {@code ~/.profile}, ...) read empty there, as on a fresh host: a remote command gets sshd's default {@code PATH},
 * so {@code python3} is the system's interpreter, not one a start-up file puts first (pyenv's shims here, which cost
 * a second or more per command on a loaded machine).
 */
public final class Sshd implements AutoCloseable {

    /** A connection, key exchange and login included, on a loaded machine. */
    private static final Duration START = Duration.ofSeconds(60);
    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    /**
     * The user's shell start-up files, empty on an isolated host: bash reads ~/.bashrc for every command sshd runs, and
     * one that initializes pyenv (this machine's) costs a second or more per remote operation on a loaded machine.
     */
    private static final List<String> SHELL_STARTUP = List.of(".bashrc", ".bash_profile", ".bash_login", ".profile");

    private final Path directory;
    private final int port;
    private final String alias;
    private final Process process;
    /** The tmpfs mount point in the server's own mount namespace, or empty when it shares this computer's. */
    private final Optional<Path> remoteRoot;

    private Sshd(Path directory, int port, String alias, Process process, Optional<Path> remoteRoot) {
        this.directory = directory;
        this.port = port;
        this.alias = alias;
        this.process = process;
        this.remoteRoot = remoteRoot;
    }

    /** Starts a server whose files live in {@code directory} (created), reachable as the ssh alias {@code alias}. */
    public static Sshd start(Path directory, String alias) throws IOException, InterruptedException {
        return start(directory, alias, Optional.empty(), 0);
    }

    /**
     * Starts a server as {@link #start} does, in a mount namespace of its own with a tmpfs at {@code remoteRoot}
     * (created here if missing; an absolute path), limited to {@code bytes} (0: tmpfs's default, half the memory).
     * Files under {@code remoteRoot} exist only for the server and what it runs; from this JVM the directory stays
     * empty. Needs root ({@code unshare}, {@code mount}, {@code nsenter}).
     */
    public static Sshd startIsolated(Path directory, String alias, Path remoteRoot, long bytes) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("Sshd.startIsolated mounts a tmpfs in a mount namespace and needs root; run the tests as root (CI does)");
        }
        if (!remoteRoot.isAbsolute() || bytes < 0) {
            throw new IllegalArgumentException("remote root must be absolute and bytes >= 0: " + remoteRoot + ", " + bytes);
        }
        Files.createDirectories(remoteRoot);
        return start(directory, alias, Optional.of(remoteRoot), bytes);
    }

    private static Sshd start(Path directory, String alias, Optional<Path> remoteRoot, long bytes) throws IOException, InterruptedException {
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
                "LogLevel VERBOSE", // names every session it starts: sessions() counts them
                ""));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Ports.free();
            List<String> command = new ArrayList<>();
            if (remoteRoot.isPresent()) {
                List<String> startup = SHELL_STARTUP.stream().map(name -> Path.of(System.getProperty("user.home"), name))
                        .filter(Files::isRegularFile).map(Path::toString).toList();
                command.addAll(List.of("unshare", "--mount", "--propagation", "private", "--",
                        // unshare and sh exec, so the process the JVM holds is sshd itself, and its pid names the namespace.
                        "sh", "-c", "o=$1; r=$2; n=$3; shift 3; mount -t tmpfs -o \"$o\" fleetshell-remote \"$r\" || exit 1; "
                                + "while [ \"$n\" -gt 0 ]; do mount --bind /dev/null \"$1\" || exit 1; shift; n=$((n-1)); done; exec \"$@\"",
                        "sh", bytes > 0 ? "mode=0755,size=" + bytes : "mode=0755", remoteRoot.get().toString(), Integer.toString(startup.size())));
                command.addAll(startup);
            }
            command.addAll(List.of(SSHD.toString(), "-D", "-e", "-f", directory.resolve("sshd_config").toString(), "-p", Integer.toString(port)));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(directory.resolve("sshd.log").toFile()).start();
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
                return new Sshd(directory, port, alias, process, remoteRoot);
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

    /**
     * How many sessions (one per command a client ran, over its own connection or a shared ControlMaster one) the server
     * has started so far, from its log: what a test counts to show that a command asks a host once.
     */
    public long sessions() throws IOException {
        return log().lines().filter(line -> line.contains("Starting session: command")).count();
    }

    /** The machine setting that reaches this server through its client config. */
    public SshAccess access() {
        return new SshAccess(alias, null, null, sshConfig(), Map.of(), false, SshAccess.DEFAULT_FORKS, directory.resolve("state").toString());
    }

    /** The tmpfs mounted for this server alone ({@link #startIsolated}). */
    public Path remoteRoot() {
        return remoteRoot.orElseThrow(() -> new IllegalStateException("this sshd shares this computer's files: start it with Sshd.startIsolated"));
    }

    /**
     * Runs {@code command} in the server's mount namespace (as root, without ssh), {@code stdin} as its input, and
     * returns its standard output; fails with what it printed when it exits non-zero.
     */
    public byte[] inside(byte[] stdin, String... command) throws IOException, InterruptedException {
        remoteRoot();
        List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(process.pid()), "-m", "--"));
        argv.addAll(List.of(command));
        Process run = new ProcessBuilder(argv).start();
        CompletableFuture<byte[]> errors = CompletableFuture.supplyAsync(() -> {
            try {
                return run.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return e.toString().getBytes(StandardCharsets.UTF_8);
            }
        }, Thread::startVirtualThread);
        try (var in = run.getOutputStream()) {
            in.write(stdin);
        }
        byte[] output = run.getInputStream().readAllBytes();
        if (Await.exit(run, START) != 0) {
            throw new IOException("in sshd's namespace, %s failed: %s".formatted(argv, new String(errors.join(), StandardCharsets.UTF_8).strip()));
        }
        return output;
    }

    /** {@link #inside(byte[], String...)} with no input, its output as UTF-8 text. */
    public String inside(String... command) throws IOException, InterruptedException {
        return new String(inside(new byte[0], command), StandardCharsets.UTF_8);
    }

    /**
     * Copies the tree {@code from} of this computer to {@code to} on the host (created), modes and mtimes kept. It is
     * read through this JVM's {@code /proc/PID/root}, so {@code from} may lie under the remote root too: a tree made
     * here at the very paths it will have on the host ({@code copyIn(root, root)}).
     */
    public void copyIn(Path from, Path to) throws IOException, InterruptedException {
        inside("mkdir", "-p", "--", to.toString());
        inside("cp", "-a", "--", "/proc/" + ProcessHandle.current().pid() + "/root" + from.toAbsolutePath() + "/.", to.toString());
    }

    /**
     * Waits until nothing but sshd itself runs under the server: the commands of a client that was killed (its ssh
     * clients keep going after it) have finished on the host (newer OpenSSH's sshd-session counts as sshd), so what a test looks at next is what they left.
     */
    public void awaitIdle(Duration within) {
        Await.until("no command left running under sshd " + process.pid(), within, () -> process.descendants()
                .filter(p -> p.info().command().map(c -> !c.contains("sshd")).orElse(false)).findAny().isEmpty());
    }

    /** The host's file, as it sees it. */
    public String readString(Path file) throws IOException, InterruptedException {
        return inside("cat", "--", file.toString());
    }

    /** Writes the host's file (its directory must exist there). */
    public void writeString(Path file, String text) throws IOException, InterruptedException {
        inside(text.getBytes(StandardCharsets.UTF_8), "sh", "-c", "cat > \"$1\"", "sh", file.toString());
    }

    /** The sha256 of the host's file, in hex. */
    public String sha256(Path file) throws IOException, InterruptedException {
        return inside("sha256sum", "--", file.toString()).substring(0, 64);
    }

    /** Whether the path exists on the host. */
    public boolean exists(Path path) throws IOException, InterruptedException {
        return inside("sh", "-c", "if [ -e \"$1\" ]; then echo yes; else echo no; fi", "sh", path.toString()).strip().equals("yes");
    }

    /** Makes {@code path} read-only on the host from now on (a bind mount of itself remounted {@code ro}). */
    public void readOnly(Path path) throws IOException, InterruptedException {
        inside("mount", "--bind", "--", path.toString(), path.toString());
        inside("mount", "-o", "remount,bind,ro", "--", path.toString());
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
