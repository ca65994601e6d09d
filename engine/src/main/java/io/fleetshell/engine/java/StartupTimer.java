package io.fleetshell.engine.java;

import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.StartedProcess;
import io.fleetshell.engine.runtime.Reach;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Measures a JVM agent's start-up the way a fleet sees it: from the exec of {@code java} to the first {@code 200} of its
 * {@code /health}, on free ports chosen for the run, on the agent's machine ({@link JavaSite}: this computer or a
 * remote host, where the start is one command over the shared ssh connection). The process (its whole group) is
 * stopped (SIGTERM, then SIGKILL) as soon as it answers.
 */
public final class StartupTimer {

    private static final Duration POLL = Duration.ofMillis(5);
    /** The first line of a start's output: the JVM's pid on its host, its service port and its health port. */
    private static final String LAUNCHED = "fleetshell-java-start ";
    /**
     * Binds two free ports of the host's loopback address, sets {@code PORT}/{@code HEALTH_PORT}, prints {@link #LAUNCHED}
     * with the pid and the ports, and execs its arguments (java ...) with {@code --port P --health-port H} appended.
     */
    private static final String LAUNCH = "import os, socket, sys\n"
            + "s = [socket.socket() for _ in range(2)]\n"
            + "[x.bind(('127.0.0.1', 0)) for x in s]\n"
            + "p, h = (str(x.getsockname()[1]) for x in s)\n"
            + "[x.close() for x in s]\n"
            + "os.environ['PORT'] = p\n"
            + "os.environ['HEALTH_PORT'] = h\n"
            + "sys.stdout.write('" + LAUNCHED + "%d %s %s\\n' % (os.getpid(), p, h))\n"
            + "sys.stdout.flush()\n"
            + "os.execvp(sys.argv[1], sys.argv[1:] + ['--port', p, '--health-port', h])\n";
    /** Only the last lines of a failed start are shown. */
    private static final int OUTPUT_KEPT = 64 * 1024;
    /**
     * Built on the first start timed: every {@code optimize} builds a JavaProver, a Python agent's too, and a JVM's first
     * HttpClient cost 0.6-0.7 s in a fresh C1-only JVM at load average 20 (issue 19, B10's fixed costs).
     */
    private HttpClient http;
    private final Duration timeout;

    public StartupTimer(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * One start.
     *
     * @param millis   spawn to healthy, or -1 when it never got healthy
     * @param rssKb    the process's peak resident set when it got healthy (0 when unknown)
     * @param output   the tail of what it printed, when it failed
     */
    public record Start(double millis, long rssKb, String output) {

        public boolean healthy() {
            return millis >= 0;
        }
    }

    /**
     * Starts {@code java [jvmOptions] -cp classpath mainClass --port P --health-port H} on the site's host, in
     * {@code workDir} with {@code PORT}/{@code HEALTH_PORT} set too, and times it to healthy, its {@code /health} reached
     * as {@link Reach} says. It is started by a few lines of the host's Python ({@link #LAUNCH}, with {@code -c}) that
     * bind two ports free there, print them with their pid, and exec {@code java} in the same process: one command on
     * the host per start (a remote one is one ssh session), and the clock starts when that line arrives, so a start's
     * time is the JVM's own, not the ssh session's nor Python's before it.
     *
     * @param peakRss whether to read the JVM's peak resident set when it is healthy (one more read on the host)
     */
    public Start time(JavaSite site, String java, List<String> jvmOptions, String classpath, String mainClass, Path workDir,
                      Map<String, String> environment, boolean peakRss) {
        List<String> command = new ArrayList<>(List.of(site.python(), "-c", LAUNCH, java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, mainClass));
        ProcessRun run = ProcessRun.of(command).in(workDir).environment(environment).mergingErrors().keep(OUTPUT_KEPT, OUTPUT_KEPT);
        StartedProcess process;
        try {
            process = site.host().start(run);
        } catch (CannotStartException e) {
            return new Start(-1, 0, "cannot start %s on machine %s: %s".formatted(java, site.machine().name(), e.getMessage()));
        }
        try (process) {
            long deadline = System.nanoTime() + timeout.toNanos();
            String[] launched = null;
            while (launched == null) {
                String first = process.output().lines().findFirst().orElse("");
                if (first.startsWith(LAUNCHED) && process.output().contains("\n")) {
                    launched = first.substring(LAUNCHED.length()).strip().split(" ");
                } else if (System.nanoTime() > deadline || !process.alive()) {
                    return new Start(-1, 0, tail(process.output(), process.alive() ? "not started within " + timeout.toSeconds() + " s"
                            : "exited with status " + process.waitFor()));
                } else {
                    Thread.sleep(1);
                }
            }
            long started = System.nanoTime();
            InetSocketAddress to = Reach.address(site.host(), "127.0.0.1", Integer.parseInt(launched[2]));
            String host = to.getHostString().contains(":") ? "[" + to.getHostString() + "]" : to.getHostString();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://" + host + ":" + to.getPort() + "/health"))
                    .timeout(Duration.ofMillis(500)).GET().build();
            while (System.nanoTime() < deadline && process.alive()) {
                try {
                    if (http().send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        double millis = (System.nanoTime() - started) / 1e6;
                        return new Start(millis, peakRss ? peakRssKb(site, launched[0]) : 0, "");
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(POLL);
            }
            return new Start(-1, 0, tail(process.output(), process.alive() ? "no /health 200 within " + timeout.toSeconds() + " s"
                    : "exited with status " + process.waitFor()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Start(-1, 0, "interrupted");
        }
    }

    /** The JVM's peak resident set, read on its host from {@code /proc/PID/status} (0 when unknown: not Linux, or gone). */
    private static long peakRssKb(JavaSite site, String pid) {
        try {
            String status = new String(site.host().read(Path.of("/proc", pid, "status"), 1 << 20), java.nio.charset.StandardCharsets.UTF_8);
            for (String line : status.lines().toList()) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return 0;
    }

    private static String tail(String output, String why) {
        List<String> lines = output.lines().filter(line -> !line.startsWith(LAUNCHED)).toList();
        return why + (lines.isEmpty() ? "" : "; last output: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        }
        return http;
    }
}
