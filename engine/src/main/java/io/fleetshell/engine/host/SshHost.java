package io.fleetshell.engine.host;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.StartedProcess;
import io.fleetshell.engine.process.ShippedPrograms;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A remote machine reached through the system's OpenSSH client ({@code ssh}), so that the user's
 * {@code ~/.ssh/config}, keys, agent, bastions ({@code ProxyJump}) and known_hosts apply as in a terminal. One
 * multiplexed connection serves every operation on the host ({@code ControlMaster=auto}, a socket under
 * FLEETSHELL_HOME kept {@link #PERSIST} after the last use): a command that touches the host many times pays the
 * handshake once. {@code BatchMode=yes}: a host that would prompt for a password or a passphrase is an error, never
 * a prompt. Host keys are checked as the user's config says; nothing here accepts a new one unless the machine's
 * {@code options:} say {@code StrictHostKeyChecking: accept-new}.
 *
 * <p>The system client rather than a Java SSH library: it is what the user's config, agent forwarding and
 * {@code ProxyJump} are written for, and multiplexing makes its per-operation cost a local socket round trip.
 * Commands are argument lists quoted for the remote shell ({@link #quote}); the remote process runs in a session of
 * its own whose id is kept in a file under the state directory, so that a timeout, an interrupt or a stop kills its
 * whole tree on the host (ending the ssh client alone would leave it running): the client's stdin is the run's lifeline
 * ({@link ProcessRun.Lifeline}), whose end makes the wrapper there kill the tree and exit, and only when that fails does
 * a session of its own do it. File operations run the machine's
 * interpreter with {@code remote_files.py} passed as {@code -c} (nothing is left on the host), data on stdin.
 *
 * @param name           the machine's name
 * @param access         how it is reached
 * @param python         the interpreter on the host
 * @param controlSockets the local directory of the multiplexing sockets
 */
public record SshHost(String name, SshAccess access, String python, Path controlSockets) implements Host {

    /** How long the shared connection outlives its last use. */
    static final Duration PERSIST = Duration.ofSeconds(60);
    /** How long a connection may take to come up. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long one file operation may take once connected: a large script over a slow link, not a hung host. */
    static final Duration FILE_TIMEOUT = Duration.ofSeconds(60);
    /** How long an ssh client may take, beyond the grace, to end by itself once its lifeline is closed. */
    static final Duration LIFELINE_MARGIN = Duration.ofSeconds(5);
    /**
     * The wrapper's watcher (see {@link #local}), on the lifeline as its stdin: the grace in tenths of a second (a
     * line; none when the input just ended), then SIGTERM to the program's group (its id from the id file, waited for
     * while the program starts), the grace, SIGKILL to what is left. The program's own status then says whether it
     * ended on SIGTERM or needed SIGKILL (137); a group member that ended but was not reaped yet (a zombie, which init
     * may reap late) only lengthens the wait.
     */
    private static final String WATCHER = "read -r t; trap '' TERM; case $t in ''|*[!0-9]*) t=0;; esac; "
            + "while [ ! -s \"$f\" ] && kill -s 0 $p; do sleep 0.05; done; g=; read -r g <\"$f\"; [ -n \"$g\" ] || exit 0; "
            + "kill -s TERM -- -$g; n=0; while [ $n -lt $t ] && kill -s 0 -- -$g; do sleep 0.1; n=$((n+1)); done; "
            + "kill -s KILL -- -$g;";
    /** Marks a line of the remote wrapper (not of the program) on stderr. */
    private static final String MARK = "fleetshell-host: ";
    /** Unix socket paths are limited to 104 bytes on some systems, 108 on Linux. */
    private static final int SOCKET_PATH_LIMIT = 100;
    private static final String SCRIPT = ShippedPrograms.text("/io/fleetshell/host/remote_files.py");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** One connection attempt at a time per socket in this JVM: two masters for one socket would not share it. */
    private static final java.util.concurrent.ConcurrentHashMap<Path, Object> CONNECTING = new java.util.concurrent.ConcurrentHashMap<>();

    public SshHost {
        if (access.destination().startsWith("-")) {
            throw new IllegalArgumentException("ssh destination '%s' of machine %s starts with '-': write it as user@host".formatted(access.destination(), name));
        }
    }

    @Override
    public String describe() {
        return access.describe();
    }

    @Override
    public ProcessResult run(ProcessRun run) throws CannotStartException, InterruptedException {
        return run(run, null).result();
    }

    @Override
    public <T> ProcessRun.Streamed<T> run(ProcessRun run, ProcessRun.StdoutReader<T> reader) throws CannotStartException, InterruptedException {
        connect(run.command());
        String token = UUID.randomUUID().toString();
        java.util.concurrent.atomic.AtomicBoolean fellBack = new java.util.concurrent.atomic.AtomicBoolean();
        ProcessRun local = local(run, token, fellBack);
        // The wrapper removes the owned files itself once the program has ended, killed through the lifeline included; a
        // session of its own does it only where the wrapper may not have got that far: the lifeline's fallback ran (the
        // host did not answer), the wrapper refused to start (127) or ssh failed (255), or the run never returned.
        boolean wrapperCleaned = false;
        try {
            ProcessRun.Streamed<T> streamed = local.run(reader);
            ProcessResult result = streamed.result();
            wrapperCleaned = result.exitStatus() != 255 && result.exitStatus() != 127;
            cannotStart(run, result);
            ProcessResult remote = new ProcessResult(run.command(), result.exitStatus(), result.stdout(), result.stderr(), result.duration(),
                    result.timedOut(), result.truncated());
            return new ProcessRun.Streamed<>(remote, streamed.value(), streamed.readFailed());
        } catch (InterruptedException e) {
            wrapperCleaned = true; // stopped through the lifeline, or its fallback ran (below)
            throw e;
        } finally {
            if (!wrapperCleaned || fellBack.get()) {
                removeOwned(run.owned());
            }
        }
    }

    @Override
    public StartedProcess start(ProcessRun run) throws CannotStartException {
        try {
            connect(run.command());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CannotStartException(run.command(), "interrupted while connecting to " + name, e);
        }
        String token = UUID.randomUUID().toString();
        return local(run, token, new java.util.concurrent.atomic.AtomicBoolean()).start();
    }

    @Override
    public byte[] read(Path file, long limit) throws IOException {
        Reply reply = files(null, "read", file.toString(), Long.toString(limit));
        return reply.bytes();
    }

    @Override
    public byte[] readContained(Path file, Path expectedReal, long limit) throws IOException {
        try {
            return files(null, "readsafe", file.toString(), expectedReal.toString(), Long.toString(limit)).bytes();
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonNode name : files(null, "list", directory.toString()).json()) {
            names.add(name.asString());
        }
        return names;
    }

    @Override
    public Optional<FileStat> stat(Path path) throws IOException {
        JsonNode json = files(null, "stat", path.toString()).json();
        if (json.get("type").isNull()) {
            return Optional.empty();
        }
        return Optional.of(stat(path, json));
    }

    private static FileStat stat(Path path, JsonNode json) {
        long nanos = json.get("mtime_ns").asLong();
        return new FileStat(path, FileStat.Type.valueOf(json.get("type").asString().toUpperCase(java.util.Locale.ROOT)),
                json.get("size").asLong(), json.get("mode").asInt(), json.get("owner").asString(), json.get("group").asString(),
                Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L));
    }

    @Override
    public java.util.Map<Path, Optional<Found>> statAll(java.util.Collection<Path> paths) throws IOException {
        List<String> names = paths.stream().map(Path::toString).toList();
        JsonNode json = files(JSON.writeValueAsBytes(names), "statmany").json();
        java.util.Map<Path, Optional<Found>> out = new java.util.LinkedHashMap<>();
        for (Path path : paths) {
            out.put(path, found(path, json.get(path.toString())));
        }
        return out;
    }

    @Override
    public Under readUnder(Path file, Path root, long limit) throws IOException {
        JsonNode json = files(JSON.writeValueAsBytes(List.of(root.toString(), file.toString())), "readunder", file.toString(), root.toString(),
                Long.toString(limit)).json();
        Under under = new Under(found(file, json.get("stats").get(file.toString())), found(root, json.get("stats").get(root.toString())), null);
        JsonNode data = json.get("data");
        return data == null || data.isNull() ? under : new Under(under.file(), under.root(), java.util.Base64.getDecoder().decode(data.asString()));
    }

    private static Optional<Found> found(Path path, JsonNode node) {
        return node == null || node.isNull() ? Optional.empty() : Optional.of(new Found(stat(path, node), node.get("readable").asBoolean(),
                node.get("real").isNull() ? null : Path.of(node.get("real").asString())));
    }

    @Override
    public List<Path> files(Path root, java.util.Set<String> skipped) throws IOException {
        List<Path> found = new ArrayList<>();
        for (JsonNode path : files(null, "files", root.toString(), JSON.writeValueAsString(new java.util.TreeSet<>(skipped))).json()) {
            found.add(Path.of(path.asString()));
        }
        return found;
    }

    @Override
    public Path realPath(Path path) throws IOException {
        return Path.of(files(null, "realpath", path.toString()).json().get("path").asString());
    }

    @Override
    public Written write(Path target, Path temp, byte[] content, Path expectedReal, Ownership keep) throws IOException {
        String wanted = Checksums.sha256(content);
        JsonNode json = files(content, "write", target.toString(), temp.toString(), expectedReal == null ? "" : expectedReal.toString(),
                keep.mode() == null ? "" : Integer.toString(keep.mode()), keep.owner() == null ? "" : keep.owner(),
                keep.group() == null ? "" : keep.group(), wanted).json();
        String back = json.get("sha256").asString();
        if (!back.equals(wanted)) {
            throw new IOException("%s on %s reads back with sha256 %s after the write, not %s as written".formatted(target, name, back, wanted));
        }
        JsonNode notKept = json.get("not_kept");
        return new Written(back, notKept == null || notKept.isNull() ? null : notKept.asString());
    }

    @Override
    public boolean deleteContained(Path file, Path expectedReal) throws IOException {
        return files(null, "removesafe", file.toString(), expectedReal.toString()).json().get("deleted").asBoolean();
    }

    @Override
    public boolean delete(Path file) throws IOException {
        return files(null, "delete", file.toString()).json().get("deleted").asBoolean();
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        files(null, "mkdirs", directory.toString());
    }

    @Override
    public void writeFresh(Path file, byte[] content) throws IOException {
        files(content, "writefresh", file.toString(), Checksums.sha256(content));
    }

    @Override
    public Prepared prepareProof(Path sibling, byte[] content, String prefix) throws IOException {
        JsonNode json = files(content, "writefresh", sibling.toString(), Checksums.sha256(content), prefix, access.stateDir()).json();
        List<String> siblings = new ArrayList<>();
        json.get("siblings").forEach(name -> siblings.add(name.asString()));
        return new Prepared(Path.of(json.get("state").asString()), siblings);
    }

    @Override
    public void copyTree(Path from, Path to, java.util.Map<String, byte[]> replaced) throws IOException {
        java.util.Map<String, String> encoded = new java.util.TreeMap<>();
        replaced.forEach((path, bytes) -> encoded.put(path, java.util.Base64.getEncoder().encodeToString(bytes)));
        files(JSON.writeValueAsBytes(encoded), "copytree", from.toString(), to.toString());
    }

    @Override
    public boolean deleteTree(Path path) throws IOException {
        return files(null, "deletetree", path.toString()).json().get("deleted").asBoolean();
    }

    @Override
    public Path temporaryDirectory() throws IOException {
        return Path.of(files(null, "mkdirs", access.stateDir() + "/tmp").json().get("path").asString());
    }

    @Override
    public Path stateDirectory() throws IOException {
        return Path.of(files(null, "mkdirs", access.stateDir()).json().get("path").asString());
    }

    /** The ssh client's argument list for running {@code remoteCommand} (one line for the remote shell) on the host. */
    public List<String> ssh(String remoteCommand) {
        List<String> argv = new ArrayList<>(options("no"));
        argv.add("--");
        argv.add(access.destination());
        argv.add(remoteCommand);
        return argv;
    }

    /**
     * The client's options up to the destination: multiplexing, batch mode, timeouts and the machine's own. Only
     * {@link #connect} starts the shared connection ({@code ControlMaster=yes}, its output to a file): a master
     * started by an operation ({@code auto}) would keep that operation's stderr pipe open for as long as it persists.
     */
    List<String> options(String master) {
        List<String> argv = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes", "-o", "ControlMaster=" + master,
                "-o", "ControlPersist=" + PERSIST.toSeconds(), "-o", "ControlPath=" + controlPath(),
                "-o", "ConnectTimeout=" + CONNECT_TIMEOUT.toSeconds(), "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3",
                "-o", "LogLevel=ERROR"));
        if (access.sshConfig() != null) {
            argv.addAll(List.of("-F", access.sshConfig().toString()));
        }
        if (access.port() != null) {
            argv.addAll(List.of("-p", access.port().toString()));
        }
        if (access.identityFile() != null) {
            argv.addAll(List.of("-i", access.identityFile().toString(), "-o", "IdentitiesOnly=yes"));
        }
        new java.util.TreeMap<>(access.options()).forEach((key, value) -> argv.addAll(List.of("-o", key + "=" + value)));
        return argv;
    }

    /** A word for the remote shell: single-quoted, a quote inside written as {@code '\''}. */
    public static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** The words of an argument list, each quoted, joined by spaces. */
    public static String quote(List<String> words) {
        return String.join(" ", words.stream().map(SshHost::quote).toList());
    }

    /**
     * The socket of the shared connection: one per destination, port, identity and config. Its directory is under
     * FLEETSHELL_HOME; when that path is too long for a socket, a link to it in the temporary directory stands in.
     */
    Path controlPath() {
        String key = Checksums.sha256(String.join("\0", access.destination(), String.valueOf(access.port()),
                String.valueOf(access.identityFile()), String.valueOf(access.sshConfig()),
                // sorted: the options map's order changes from one JVM to the next, and with it the socket (a new handshake)
                new java.util.TreeMap<>(access.options()).toString())).substring(0, 16);
        Path dir = controlSockets.toAbsolutePath();
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            if (dir.toString().length() + key.length() + 1 > SOCKET_PATH_LIMIT) {
                Path link = Path.of(System.getProperty("java.io.tmpdir"), "fs-" + Checksums.sha256(dir.toString()).substring(0, 12));
                if (!java.nio.file.Files.isSymbolicLink(link)) {
                    java.nio.file.Files.deleteIfExists(link);
                    java.nio.file.Files.createSymbolicLink(link, dir);
                } else if (!java.nio.file.Files.readSymbolicLink(link).equals(dir)) {
                    throw new IOException(link + " links to " + java.nio.file.Files.readSymbolicLink(link) + ", not to " + dir
                            + "; remove it or use a shorter FLEETSHELL_HOME");
                }
                dir = link;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the ssh socket directory " + dir + ": " + e.getMessage(), e);
        }
        return dir.resolve(key);
    }

    /**
     * Makes sure the shared connection is up, opening it if need be; an unreachable host, a refused or unknown key
     * or a host key that does not match is the error, before anything runs.
     *
     * <p>Whether the master is up is asked of its socket directly, not with {@code ssh -O check}: that was one more
     * process per remote operation (an {@code agents status} of 50 hosts ran 100 ssh clients, not 50). A socket that
     * accepts a connection has a master behind it, which is all {@code -O check} proves too; one that refuses it was
     * left by a master that died (kill -9, a reboot) and is removed, since a new master cannot bind over it and would
     * silently run without multiplexing.
     */
    private void connect(List<String> forCommand) throws CannotStartException, InterruptedException {
        Path socket = controlPath();
        synchronized (CONNECTING.computeIfAbsent(socket, key -> new Object())) {
            if (answers(socket)) {
                return;
            }
            try {
                java.nio.file.Files.deleteIfExists(socket);
            } catch (IOException e) {
                throw new CannotStartException(forCommand, "cannot remove the dead ssh socket " + socket + ": " + e.getMessage(), e);
            }
            List<String> open = new ArrayList<>(options("yes"));
            open.addAll(List.of("-f", "-N", "--", access.destination()));
            Path log;
            try {
                log = java.nio.file.Files.createTempFile(socket.getParent(), "connect-", ".log");
            } catch (IOException e) {
                throw new CannotStartException(forCommand, "cannot make a file beside " + socket + ": " + e.getMessage(), e);
            }
            try {
                // The master stays in the background with this file as its stderr: a pipe would never end.
                ProcessResult opened = ProcessRun.of(open).appendingOutputTo(log).timeout(CONNECT_TIMEOUT.plusSeconds(5)).run();
                if (!opened.ok()) {
                    String said = java.nio.file.Files.readString(log);
                    throw new CannotStartException(forCommand, unreachable(opened, said), null);
                }
            } catch (IOException e) {
                if (e instanceof CannotStartException cannot) {
                    throw cannot;
                }
                throw new CannotStartException(forCommand, "cannot read " + log + ": " + e.getMessage(), e);
            } finally {
                try {
                    java.nio.file.Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a stray log in the socket directory is harmless
                }
            }
        }
    }

    /** True when a master listens on the socket (a connect, no process). */
    private static boolean answers(Path socket) {
        if (!java.nio.file.Files.exists(socket)) {
            return false;
        }
        try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            channel.connect(java.net.UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String unreachable(ProcessResult result, String said) {
        String line = result.timedOut() ? "no answer within " + CONNECT_TIMEOUT.plusSeconds(5).toSeconds() + " s"
                : said.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("exit status " + result.exitStatus());
        String tried = (access.sshConfig() == null ? "" : "-F " + access.sshConfig() + " ") + (access.port() == null ? "" : "-p " + access.port() + " ")
                + (access.identityFile() == null ? "" : "-i " + access.identityFile() + " ") + access.destination();
        return "cannot reach machine %s over ssh (%s): %s. Tried: ssh %s true. Check that the host is up, that this works in a terminal "
                .formatted(name, access.describe(), line.strip(), tried)
                + "without a prompt (key in known_hosts, key accepted), and the machine's ssh settings in settings.yaml";
    }

    /**
     * The ssh run that runs {@code run} on the host in a session of its own, its id in the state directory's run/TOKEN,
     * with a lifeline ({@link ProcessRun#lifeline}): the client's stdin stays open, the program's input is
     * {@code /dev/null} (or the run's stdin bytes, through a named pipe beside the id file, fed by {@code head -c}), and
     * a watcher in the wrapper waits on the channel's input with the shell's own {@code read}. When fleetshell closes it
     * (a stop, a timeout, an interrupt; or the connection drops, or fleetshell dies) the watcher sends SIGTERM to the
     * program's group, gives it the grace written on the lifeline, then SIGKILL, and the wrapper exits: the client
     * ends by itself, no session of its own kills the program ({@link #killRemote} is the fallback for a host that
     * no longer answers). The watcher's output goes to /dev/null (held by it, the channel's stdout would keep the
     * session open), it ignores SIGTERM once it acts (so the wrapper's end does not cut its SIGKILL short), and a
     * program that ends by itself ends it. The run's owned files are removed by the wrapper after the program.
     * {@code fellBack} is set when the lifeline's fallback ran.
     */
    private ProcessRun local(ProcessRun run, String token, java.util.concurrent.atomic.AtomicBoolean fellBack) {
        String pidFile = access.stateDir() + "/run/" + token;
        StringBuilder line = new StringBuilder();
        line.append("mkdir -p ").append(quote(access.stateDir() + "/run")).append(" || exit 127; ");
        // A state directory relative to the login directory names the id file from there, before the run's cd.
        line.append("f=").append(quote(pidFile)).append("; case $f in /*) ;; *) f=\"$PWD/$f\";; esac; i=\"$f.in\"; ");
        if (run.directory() != null) {
            line.append("cd ").append(quote(run.directory().toString())).append(" 2>/dev/null || { echo ")
                    .append(quote(MARK + "its working directory " + run.directory() + " does not exist on " + name)).append(" >&2; exit 127; }; ");
        }
        String program = run.command().getFirst();
        String test = program.contains("/") ? "[ -f %s ] && [ -x %s ]".formatted(quote(program), quote(program))
                : "command -v %s >/dev/null 2>&1".formatted(quote(program));
        line.append(test).append(" || { echo ").append(quote(MARK + (program.contains("/") ? "no executable file " : "no executable named ")
                + program + " on " + name)).append(" >&2; exit 127; }; ");
        List<String> argv = new ArrayList<>();
        if (!run.environment().isEmpty() || !run.unset().isEmpty()) {
            argv.add("env");
            run.unset().stream().sorted().forEach(variable -> argv.addAll(List.of("-u", variable)));
            run.environment().forEach((key, value) -> argv.add(key + "=" + value));
        }
        argv.addAll(run.command());
        boolean input = run.stdin() != null && run.stdin().length > 0;
        line.append("exec 3<&0 </dev/null; ");
        if (input) {
            line.append("rm -f \"$i\"; mkfifo -m 600 \"$i\" || { echo ").append(quote(MARK + "cannot make a pipe in " + access.stateDir() + "/run on " + name))
                    .append(" >&2; exit 127; }; ");
        }
        line.append("setsid --wait sh -c 'echo $$ > \"$0\"; exec \"$@\"' \"$f\" ").append(quote(argv)).append(input ? " <\"$i\"" : "")
                .append(" 3<&- & p=$!; { ");
        if (input) {
            // A program that closes its input early kills the first head (SIGPIPE): the second drains what is left of the
            // input, so that the watcher never takes it for the grace.
            line.append("rm -f \"$i\"; head -c ").append(run.stdin().length).append(" || head -c ").append(run.stdin().length)
                    .append(" >/dev/null; exec >/dev/null; ");
        }
        line.append(WATCHER).append(" } <&3 ").append(input ? ">\"$i\"" : ">/dev/null").append(" 2>/dev/null & w=$!; exec 3<&- 2>/dev/null; ")
                .append("wait $p; s=$?; kill $w; wait $w; rm -f \"$f\" \"$i\"; ");
        if (!run.owned().isEmpty()) {
            List<String> remove = new ArrayList<>(List.of("rm", "-rf", "--"));
            run.owned().forEach(path -> remove.add(path.toString()));
            line.append(quote(remove)).append("; ");
        }
        line.append("exit $s");
        ProcessRun local = ProcessRun.of(ssh(line.toString())).keep(run.stdoutLimit(), run.stderrLimit())
                .lifeline(LIFELINE_MARGIN, grace -> {
                    fellBack.set(true);
                    killRemote(token, grace);
                });
        if (run.timeout() != null) {
            local = local.timeout(run.timeout());
        }
        if (run.stdin() != null) {
            local = local.stdin(run.stdin());
        }
        if (run.outputFile() != null) {
            local = local.appendingOutputTo(run.outputFile());
        } else if (run.mergeErrors()) {
            local = local.mergingErrors();
        }
        return local;
    }

    /** A wrapper's own refusal (no directory, no program) means nothing ran: the same as a local run that cannot start. */
    private void cannotStart(ProcessRun run, ProcessResult result) throws CannotStartException {
        if (result.exitStatus() == 127) {
            Optional<String> mark = result.stderr().lines().filter(l -> l.startsWith(MARK)).findFirst();
            if (mark.isPresent()) {
                throw new CannotStartException(run.command(), mark.get().substring(MARK.length()), null);
            }
        }
        if (result.exitStatus() == 255 && !result.timedOut() && result.stderr().lines().anyMatch(l -> l.startsWith("ssh: ")
                || l.contains("Connection closed") || l.contains("Broken pipe") || l.contains("Control socket"))) {
            throw new CannotStartException(run.command(), "the ssh connection to machine %s (%s) failed: %s".formatted(name, access.describe(),
                    result.stderr().strip()), null);
        }
    }

    /**
     * Stops the remote session of a run in a session of its own: SIGTERM to its group, {@code grace} to exit, then
     * SIGKILL. Only when the lifeline did not end the run (the host no longer answers on the shared connection). Never throws.
     */
    private void killRemote(String token, Duration grace) {
        String pidFile = quote(access.stateDir() + "/run/" + token);
        long tenths = Math.max(1, grace.toMillis() / 100);
        String line = ("f=%s; [ -f \"$f\" ] || exit 0; g=$(cat \"$f\"); [ -n \"$g\" ] || exit 0; kill -s TERM -- -\"$g\" 2>/dev/null; i=0; "
                + "while kill -s 0 -- -\"$g\" 2>/dev/null && [ $i -lt %d ]; do sleep 0.1; i=$((i+1)); done; kill -s KILL -- -\"$g\" 2>/dev/null; rm -f \"$f\" \"$f.in\"")
                .formatted(pidFile, tenths);
        boolean interrupted = Thread.interrupted();
        try {
            ProcessRun.of(ssh(line)).timeout(grace.plus(CONNECT_TIMEOUT)).run();
        } catch (CannotStartException | InterruptedException e) {
            // ssh itself is missing, or a second interrupt: the remote group stays, as after a dropped connection.
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void removeOwned(List<Path> owned) {
        if (owned.isEmpty()) {
            return;
        }
        List<String> argv = new ArrayList<>(List.of("rm", "-rf", "--"));
        owned.forEach(path -> argv.add(path.toString()));
        boolean interrupted = Thread.interrupted();
        try {
            ProcessRun.of(ssh(quote(argv))).timeout(FILE_TIMEOUT).run();
        } catch (CannotStartException | InterruptedException e) {
            // The host went away: the files stay, as after a kill -9; the sweep's marks name their owner.
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What {@code remote_files.py} answered: the bytes of a read or one JSON object. */
    private record Reply(byte[] bytes) {
        JsonNode json() {
            return JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    /** Runs one operation of {@code remote_files.py} on the host. */
    private Reply files(byte[] stdin, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(python, "-c", SCRIPT));
        argv.addAll(List.of(args));
        ProcessRun run = ProcessRun.of(ssh(quote(argv))).timeout(FILE_TIMEOUT).keep(ProcessRun.DEFAULT_LIMIT, 64 * 1024);
        if (stdin != null) {
            run = run.stdin(stdin);
        }
        ProcessRun.Streamed<byte[]> streamed;
        try {
            connect(List.of(python));
        } catch (CannotStartException e) {
            // Nothing ran: the message without the "cannot start python3" a program that did not start gets.
            throw new IOException(e.getMessage().substring(e.getMessage().indexOf(": ") + 2), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted during %s on machine %s".formatted(args[0], name));
        }
        try {
            streamed = run.run(InputStream::readAllBytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted during %s on machine %s".formatted(args[0], name));
        }
        ProcessResult result = streamed.result();
        String what = "%s %s on machine %s (%s)".formatted(args[0], args.length > 1 ? args[1] : "", name, access.describe());
        if (result.timedOut()) {
            throw new IOException("%s: no answer within %d s; tried: ssh %s %s".formatted(what, FILE_TIMEOUT.toSeconds(), access.describe(), python));
        }
        byte[] out = streamed.value() == null ? new byte[0] : streamed.value();
        if (result.exitStatus() == 0) {
            return new Reply(out);
        }
        if (result.exitStatus() == 3) {
            JsonNode error = new Reply(out).json();
            String message = "%s: %s".formatted(what, error.get("error").asString());
            String path = args.length > 1 ? args[1] : "";
            switch (error.get("kind").asString()) {
                case "missing" -> throw new NoSuchFileException(path, null, message);
                case "escapes" -> throw new io.fleetshell.engine.FleetshellException(io.fleetshell.engine.ErrorCode.PATH_ESCAPES_ROOT, message);
                default -> throw error.get("errno").asInt() == 13 ? new AccessDeniedException(path, null, message) : new IOException(message);
            }
        }
        String line = result.stderr().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("exit status " + result.exitStatus()).strip();
        if (result.exitStatus() == 127) {
            throw new IOException(("%s: the interpreter %s is not on the host (%s). Set machines.%s.python in settings.yaml (or python: in "
                    + "the config's global_settings) to a Python 3.6+ that exists there").formatted(what, python, line, name));
        }
        if (result.exitStatus() == 1 && line.contains("SyntaxError")) {
            throw new IOException(("%s: the interpreter %s on the host is too old for fleetshell (%s). Set machines.%s.python in "
                    + "settings.yaml to a Python 3.6 or newer").formatted(what, python, line, name));
        }
        throw new IOException("%s failed: %s (ssh exit status %d)".formatted(what, line, result.exitStatus()));
    }
}
