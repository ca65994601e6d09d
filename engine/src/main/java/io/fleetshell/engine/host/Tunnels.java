package io.fleetshell.engine.host;

import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where this computer connects to reach a TCP port on a remote host: the host itself, by the name ssh connects to
 * ({@code ssh -G}: a {@code Host} alias of the user's ssh config resolves to its {@code HostName}), or, for a machine
 * with {@code tunnel: true} whose ports are not reachable from here, a local port forwarded over the host's shared
 * connection ({@code ssh -O forward -L 127.0.0.1:LOCAL:HOST:PORT} to its ControlMaster: no new handshake, no extra
 * process).
 *
 * <p>The forwards live in the ssh master process, not in this JVM, and the master outlives this JVM by its
 * ControlPersist time; what this JVM opened is remembered here (per master socket, target host and port) so that every
 * probe, scrape and request of a command uses one forward. A proof's replays (each on two ports free on the host) and
 * an analysis run open theirs inside a {@link Scope}: a forward is cancelled ({@code -O cancel}) when the last scope
 * that used it closes, so a {@code batch deploy} of many agents does not pile up forwards in the master. A forward
 * asked for outside any scope (a health probe, a scrape of {@code watch}) is kept until the JVM exits, when every
 * forward left is cancelled. A forward that outlives a killed JVM closes with the master.
 */
public final class Tunnels {

    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(15);
    private static final Map<String, Forward> OPEN = new ConcurrentHashMap<>();
    /** Keyed by the machine's ssh settings: the same settings resolve to the same name. */
    private static final Map<Object, String> HOSTNAMES = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Tunnels::cancelAll, "fleetshell-tunnels"));
    }

    private Tunnels() {
    }

    private record Forward(SshHost host, String spec, int localPort) {
    }

    /** How many open scopes use each forward, and the forwards asked for outside any scope (kept to the JVM's exit). */
    private static final Map<String, Integer> USERS = new java.util.HashMap<>();
    private static final java.util.Set<String> PINNED = new java.util.HashSet<>();
    /** The scopes open on each thread, innermost last: a forward is the innermost one's. */
    private static final ThreadLocal<java.util.ArrayDeque<Scope>> SCOPES = ThreadLocal.withInitial(java.util.ArrayDeque::new);

    /**
     * The forwards {@link #reach} opens or reuses on this thread while it is open; closing it cancels each of them that no
     * other open scope uses and that nothing outside a scope asked for. Open it around a proof's replay or an analysis
     * run, in a try-with-resources on the thread that resolves the addresses.
     */
    public static final class Scope implements AutoCloseable {
        private final java.util.Set<String> used = new java.util.HashSet<>();
        private boolean closed;

        private Scope() {
        }

        @Override
        public void close() {
            List<Forward> cancelled = new ArrayList<>();
            synchronized (OPEN) {
                if (closed) {
                    return;
                }
                closed = true;
                SCOPES.get().remove(this);
                for (String key : used) {
                    int left = USERS.merge(key, -1, Integer::sum);
                    if (left <= 0) {
                        USERS.remove(key);
                        if (!PINNED.contains(key)) {
                            Forward forward = OPEN.remove(key);
                            if (forward != null) {
                                cancelled.add(forward);
                            }
                        }
                    }
                }
            }
            cancelled.forEach(Tunnels::cancel);
        }
    }

    /** A new scope on this thread ({@link Scope}). */
    public static Scope scope() {
        Scope scope = new Scope();
        SCOPES.get().addLast(scope);
        return scope;
    }

    /** The forwards this JVM holds open now, as {@code 127.0.0.1:LOCAL:HOST:PORT} (for tests and diagnostics). */
    public static List<String> open() {
        return OPEN.values().stream().map(Forward::spec).sorted().toList();
    }

    /**
     * The address to connect to for {@code port} of {@code target} (an address as the remote host sees it, e.g.
     * {@code 127.0.0.1}) on the host: a forwarded local port when the machine asks for a tunnel, else the address itself,
     * a loopback or wildcard one replaced by the host's name.
     *
     * @throws IOException when the host cannot be reached or the forward cannot be set up; the message names the host,
     *                     what was tried and ssh's error line
     */
    public static InetSocketAddress reach(SshHost host, String target, int port) throws IOException {
        String remote = loopback(target) ? "127.0.0.1" : target;
        if (!host.access().tunnel()) {
            return InetSocketAddress.createUnresolved(loopback(target) ? hostname(host) : target, port);
        }
        String key = host.controlPath() + "|" + remote + ":" + port;
        java.util.ArrayDeque<Scope> open = SCOPES.get();
        while (!open.isEmpty() && open.peekLast().closed) {
            open.removeLast(); // closed on another thread
        }
        Scope scope = open.peekLast();
        Forward forward;
        synchronized (OPEN) {
            forward = OPEN.get(key);
            if (forward == null) {
                forward = open(host, remote, port);
                OPEN.put(key, forward);
            }
            if (scope == null) {
                PINNED.add(key);
            } else if (scope.used.add(key)) {
                USERS.merge(key, 1, Integer::sum);
            }
        }
        return InetSocketAddress.createUnresolved("127.0.0.1", forward.localPort());
    }

    /** A loopback or wildcard address, or none: on the remote host it means the host itself. */
    public static boolean loopback(String address) {
        if (address == null || address.isBlank()) {
            return true;
        }
        String a = address.toLowerCase(Locale.ROOT);
        return a.equals("0.0.0.0") || a.equals("::") || a.equals("localhost") || a.equals("::1") || a.equals("[::1]") || a.startsWith("127.");
    }

    /** The name ssh connects to for the host ({@code hostname} of {@code ssh -G}), asked once per JVM and host. */
    static String hostname(SshHost host) throws IOException {
        String known = HOSTNAMES.get(host.access());
        if (known != null) {
            return known;
        }
        List<String> argv = new ArrayList<>(host.options("no"));
        argv.addAll(List.of("-G", "--", host.access().destination()));
        ProcessResult result = control(host, argv, "ssh -G " + host.access().destination());
        String name = result.stdout().lines().filter(l -> l.startsWith("hostname ")).map(l -> l.substring("hostname ".length()).strip())
                .findFirst().orElseThrow(() -> new IOException("ssh -G %s printed no hostname line for machine %s".formatted(
                        host.access().destination(), host.name())));
        HOSTNAMES.put(host.access(), name);
        return name;
    }

    /** A free local port forwarded to {@code remote:port} on the host; a port taken meanwhile is tried again with another. */
    private static Forward open(SshHost host, String remote, int port) throws IOException {
        // The shared connection must be up before the master can take a forward.
        try {
            host.run(ProcessRun.of("true").timeout(CONTROL_TIMEOUT));
        } catch (CannotStartException e) {
            throw new IOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while connecting to machine " + host.name());
        }
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int local;
            try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                local = probe.getLocalPort();
            }
            String spec = "127.0.0.1:%d:%s:%d".formatted(local, remote.contains(":") ? "[" + remote + "]" : remote, port);
            List<String> argv = new ArrayList<>(host.options("no"));
            argv.addAll(List.of("-O", "forward", "-L", spec, "--", host.access().destination()));
            try {
                control(host, argv, "ssh -O forward -L " + spec + " " + host.access().describe());
                return new Forward(host, spec, local);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    private static ProcessResult control(SshHost host, List<String> argv, String tried) throws IOException {
        ProcessResult result;
        try {
            result = ProcessRun.of(argv).timeout(CONTROL_TIMEOUT).run();
        } catch (CannotStartException e) {
            throw new IOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running " + tried);
        }
        if (!result.ok()) {
            String line = result.timedOut() ? "no answer within " + CONTROL_TIMEOUT.toSeconds() + " s"
                    : result.stderr().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("exit status " + result.exitStatus());
            throw new IOException("cannot reach the agents' ports on machine %s (%s): %s. Tried: %s".formatted(host.name(),
                    host.access().describe(), line.strip(), tried));
        }
        return result;
    }

    private static void cancelAll() {
        OPEN.values().forEach(Tunnels::cancel);
        OPEN.clear();
    }

    /** {@code ssh -O cancel} of one forward on its host's master; quietly, also while the thread is interrupted. */
    private static void cancel(Forward forward) {
        List<String> argv = new ArrayList<>(forward.host().options("no"));
        argv.addAll(List.of("-O", "cancel", "-L", forward.spec(), "--", forward.host().access().destination()));
        boolean interrupted = Thread.interrupted();
        try {
            ProcessRun.of(argv).timeout(Duration.ofSeconds(5)).run();
        } catch (CannotStartException | InterruptedException | RuntimeException e) {
            // the master is gone already, and its forwards with it
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
