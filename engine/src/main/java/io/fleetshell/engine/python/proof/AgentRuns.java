package io.fleetshell.engine.python.proof;

import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.StartedProcess;
import io.fleetshell.engine.process.ShippedPrograms;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.host.Tunnels;
import io.fleetshell.engine.runtime.Reach;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a Python agent the way a fleet does ({@code python agent.py --port P --health-port H}, with {@code PORT} and
 * {@code HEALTH_PORT} set too, on ports free on its machine), through {@code agent_run.py}, which can count calls of
 * the agent's functions. It runs on the agent's machine ({@link ProofSite}: the process started there, the counts
 * written there, the requests reaching its ports as {@link Reach} says). It measures time-to-healthy (spawn to the first answer of {@code /health}, whatever its status: the
 * process is live) and time-to-ready (spawn to the answer of the first replayed request, or to the first
 * {@code /health} 200 when there is none), replays the requests over real HTTP and stops the agent with SIGTERM.
 */
public final class AgentRuns {

    private static final Duration POLL = Duration.ofMillis(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int OUTPUT_KEPT = 64 * 1024;

    /** One HTTP answer. */
    public record Answer(String request, int status, String body) {
    }

    /** The calls of one function: how often its body ran, with how many distinct arguments, and the time spent in it. */
    public record Counted(long calls, long distinct, double totalMillis) {
    }

    /**
     * One run of an agent.
     *
     * @param healthyMillis        spawn to the first answer of {@code /health}
     * @param readyMillis          spawn to the answer of the first request (or the first {@code /health} 200)
     * @param firstHealthStatus    the status of that first {@code /health} answer (503 while an agent says "starting")
     * @param healthyAfterFirstAnswer whether {@code /health} said 200 right after the first request was answered
     * @param answers              the answers to the replayed requests, in order
     * @param counts               per counted function
     * @param failure              why the run failed (with the agent's last output), or null
     */
    public record Run(double healthyMillis, double readyMillis, int firstHealthStatus, boolean healthyAfterFirstAnswer,
                      List<Answer> answers, Map<String, Counted> counts, String failure) {
        public boolean ok() {
            return failure == null;
        }

        static Run failed(String why) {
            return new Run(-1, -1, 0, false, List.of(), Map.of(), why);
        }
    }

    /** How long an agent that counts calls gets to end after SIGTERM before it is killed (its counts are written at SIGTERM). */
    private static final Duration COUNTED_GRACE = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofSeconds(10);

    /** Binds two free ports of the host's loopback address and prints them: the agent's service and health ports. */
    private static final String FREE_PORTS = "import socket\n"
            + "s = [socket.socket() for _ in range(2)]\n"
            + "[x.bind(('127.0.0.1', 0)) for x in s]\n"
            + "print(' '.join(str(x.getsockname()[1]) for x in s))\n";

    private final HttpClient http;
    private final Duration timeout;
    private final Duration countedGrace;
    private final ProofSite site;

    /** On this computer; @param timeout how long one start, and one request, may take */
    public AgentRuns(Duration timeout) {
        this(ProofSite.thisComputer(null), timeout, COUNTED_GRACE);
    }

    /** On this computer ({@link #AgentRuns(ProofSite, Duration, Duration)}). */
    public AgentRuns(Duration timeout, Duration countedGrace) {
        this(ProofSite.thisComputer(null), timeout, countedGrace);
    }

    /**
     * @param site         the agent's machine
     * @param timeout      how long one start, and one request, may take
     * @param countedGrace how long an agent whose calls are counted may take to end after SIGTERM before it is killed
     */
    public AgentRuns(ProofSite site, Duration timeout, Duration countedGrace) {
        this.site = site;
        this.timeout = timeout;
        this.countedGrace = countedGrace;
        // A connect to 127.0.0.1 is refused at once while nothing listens, so a short connect timeout buys nothing; on a
        // loaded machine one of 200 ms failed a replayed request now and then ("no answer to /run?x=ab"), read as zero calls.
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** {@link #AgentRuns(ProofSite, Duration, Duration)} with the default grace for counting runs. */
    public AgentRuns(ProofSite site, Duration timeout) {
        this(site, timeout, COUNTED_GRACE);
    }

    /**
     * Starts {@code script} (the original or a rewrite beside it) with the target's interpreter, directory and
     * environment, replays {@code requests} (paths such as {@code /run?x=1}) on its service port and counts calls of
     * {@code counted}. A counting run whose agent had to be killed without leaving its counts is run once more, and
     * fails (the calls could not be measured) if that happens again: missing counts never read as "never called".
     */
    public Run run(ProfileTarget target, Path script, List<String> requests, List<String> counted) {
        // with tunnel: true, the forwards to this run's ports (free ports, new for every run) are cancelled once it is done
        try (Tunnels.Scope forwards = Tunnels.scope()) {
            Attempt first = attempt(target, script, requests, counted);
            return first.killedWithoutCounts() ? attempt(target, script, requests, counted).run() : first.run();
        }
    }

    /** One start of the agent; {@code killedWithoutCounts}: it did not end after SIGTERM and left no counts. */
    private record Attempt(Run run, boolean killedWithoutCounts) {
        Attempt(Run run) {
            this(run, false);
        }
    }

    private Attempt attempt(ProfileTarget target, Path script, List<String> requests, List<String> counted) {
        int[] ports;
        try {
            ports = freePorts(target);
        } catch (CannotStartException e) {
            return new Attempt(Run.failed("cannot start %s on %s: %s".formatted(target.python(), site, e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(Run.failed("interrupted"));
        }
        int port = ports[0];
        int healthPort = ports[1];
        Path counts = site.temporaryName("counts", ".json");
        List<String> command = List.of(target.python(), "-c", ShippedPrograms.python("agent_run.py"), counts.toString(), String.join(",", counted),
                script.toString(), "--port", String.valueOf(port), "--health-port", String.valueOf(healthPort));
        ProcessRun run = ProcessRun.of(command).in(target.workingDirectory()).environment(target.environment())
                .environment("PORT", String.valueOf(port)).environment("HEALTH_PORT", String.valueOf(healthPort))
                .mergingErrors().keep(OUTPUT_KEPT, OUTPUT_KEPT);
        long started = System.nanoTime();
        StartedProcess process;
        try {
            process = site.host().start(run);
        } catch (CannotStartException e) {
            return new Attempt(Run.failed("cannot start %s on %s: %s".formatted(target.python(), site, e.getMessage())));
        }
        try {
            Run result = drive(process, started, Reach.address(site.host(), "127.0.0.1", port), Reach.address(site.host(), "127.0.0.1", healthPort),
                    requests);
            Duration grace = counted.isEmpty() ? GRACE : countedGrace;
            boolean ended = process.stop(grace);
            if (!result.ok()) {
                return new Attempt(result);
            }
            Map<String, Counted> calls = counted.isEmpty() ? Map.of() : readCounts(counts);
            if (!counted.isEmpty() && calls.isEmpty()) {
                return ended
                        ? new Attempt(Run.failed(tail(process, "it stopped without writing its call counts (an agent that ends by "
                                + "os._exit or by a signal other than SIGTERM leaves none)")))
                        : new Attempt(Run.failed(tail(process, "its calls could not be measured: it did not end within %d s of SIGTERM "
                                .formatted(grace.toSeconds()) + "and was killed before its call counts were written")), true);
            }
            return new Attempt(new Run(result.healthyMillis(), result.readyMillis(), result.firstHealthStatus(), result.healthyAfterFirstAnswer(),
                    result.answers(), calls, null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(Run.failed("interrupted"));
        } finally {
            process.close();
            if (!counted.isEmpty()) { // without functions to count agent_run.py writes no counts
                site.remove(counts);
                site.remove(counts.resolveSibling(counts.getFileName() + ".partial")); // agent_run.py's, killed mid-write
            }
        }
    }

    /** Two ports free on the agent's machine, asked there (a port free here says nothing of a remote host). */
    private int[] freePorts(ProfileTarget target) throws CannotStartException, InterruptedException {
        ProcessResult found = site.host().run(ProcessRun.of(target.python(), "-c", FREE_PORTS).timeout(timeout));
        String[] words = found.stdout().strip().split(" ");
        if (!found.ok() || words.length != 2) {
            throw new CannotStartException(found.command(), "asking for two free ports failed: " + found.tail(400), null);
        }
        return new int[] {Integer.parseInt(words[0]), Integer.parseInt(words[1])};
    }

    private Run drive(StartedProcess process, long started, InetSocketAddress port, InetSocketAddress healthPort, List<String> requests)
            throws InterruptedException {
        long deadline = started + timeout.toNanos();
        HttpResponse<String> first = null;
        while (first == null) {
            if (System.nanoTime() > deadline || !process.alive()) {
                return Run.failed(tail(process, process.alive() ? "no answer on /health within " + timeout.toSeconds() + " s" : "it exited"));
            }
            first = get(healthPort, "/health", Duration.ofMillis(500));
            if (first == null) {
                Thread.sleep(POLL);
            }
        }
        double healthy = (System.nanoTime() - started) / 1e6;
        double ready;
        boolean healthyAfter;
        List<Answer> answers = new ArrayList<>();
        if (requests.isEmpty()) {
            HttpResponse<String> health = first;
            while (health == null || health.statusCode() != 200) {
                if (System.nanoTime() > deadline || !process.alive()) {
                    return Run.failed(tail(process, "/health never said 200"));
                }
                Thread.sleep(POLL);
                health = get(healthPort, "/health", Duration.ofMillis(500));
            }
            ready = (System.nanoTime() - started) / 1e6;
            healthyAfter = true;
        } else {
            HttpResponse<String> answer = get(port, requests.getFirst(), timeout);
            if (answer == null) {
                return Run.failed(tail(process, "no answer to " + requests.getFirst()));
            }
            ready = (System.nanoTime() - started) / 1e6;
            answers.add(new Answer(requests.getFirst(), answer.statusCode(), answer.body()));
            HttpResponse<String> health = get(healthPort, "/health", timeout);
            healthyAfter = health != null && health.statusCode() == 200;
            for (String request : requests.subList(1, requests.size())) {
                HttpResponse<String> next = get(port, request, timeout);
                if (next == null) {
                    return Run.failed(tail(process, "no answer to " + request));
                }
                answers.add(new Answer(request, next.statusCode(), next.body()));
            }
        }
        return new Run(healthy, ready, first.statusCode(), healthyAfter, answers, Map.of(), null);
    }

    private HttpResponse<String> get(InetSocketAddress to, String path, Duration limit) throws InterruptedException {
        try {
            String host = to.getHostString().contains(":") ? "[" + to.getHostString() + "]" : to.getHostString();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + to.getPort() + path)).timeout(limit).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException notYet) {
            return null;
        }
    }

    private Map<String, Counted> readCounts(Path file) {
        try {
            String text;
            try {
                text = new String(site.host().read(file, 64L << 20), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.nio.file.NoSuchFileException none) {
                return Map.of();
            }
            if (text.isBlank()) {
                return Map.of();
            }
            Map<String, Counted> counts = new LinkedHashMap<>();
            JsonNode root = JSON.readTree(text);
            root.properties().forEach(e -> counts.put(e.getKey(), new Counted(e.getValue().path("calls").asLong(),
                    e.getValue().path("distinct").asLong(), e.getValue().path("total_ms").asDouble())));
            return counts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(StartedProcess process, String why) {
        List<String> lines = process.output().lines().toList();
        return why + (lines.isEmpty() ? "" : "; last output: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
    }

}
