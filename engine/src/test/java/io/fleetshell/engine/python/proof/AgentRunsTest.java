package io.fleetshell.engine.python.proof;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.profile.ProfileTarget;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Counted runs of real agents whose way out after SIGTERM differs (the flaky {@code WorkCorpusTest[5]} of the
 * fresh-clone CI: a counted agent killed after the SIGTERM grace read as "the replay never calls it").
 */
class AgentRunsTest {

    @TempDir
    Path dir;

    /** The agent serves /health and /run (which calls {@code work} twice) and does on SIGTERM what {@code EXIT} says. */
    private static final String AGENT = """
            import http.server, os, signal, sys, threading, time

            def work(x):
                return x * 2

            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = b"ok" if self.path == "/health" else str(work(3) + work(3)).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass

            mode = os.environ["EXIT"]
            stop = threading.Event()
            if mode == "hangs":
                signal.signal(signal.SIGTERM, lambda s, f: stop.set())
                assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
            elif mode == "blocks":
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            servers = [http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ[p])), Handler) for p in ("PORT", "HEALTH_PORT")]
            for s in servers:
                threading.Thread(target=s.serve_forever, daemon=True).start()
            if mode == "returns":
                signal.signal(signal.SIGTERM, lambda s, f: stop.set())
                stop.wait()
                sys.exit(0)
            stop.wait()
            while True:  # a shutdown that never ends, like a server joining a request thread that never finishes
                time.sleep(1)
            """;

    private ProfileTarget target(String exit) throws IOException {
        Path script = Files.writeString(dir.resolve("agent_" + exit + ".py"), AGENT);
        return new ProfileTarget(new AgentId("test", "agent"), script, python(), dir, Map.of("EXIT", exit));
    }

    @ParameterizedTest
    @ValueSource(strings = {"returns", "hangs", "default"})
    void theCountsOfTheReplaySurviveAnyWayOutAfterSigterm(String exit) throws IOException {
        ProfileTarget target = target(exit);
        // a short grace: "hangs" is killed after it, and its counts must have been written at SIGTERM
        AgentRuns.Run run = new AgentRuns(Duration.ofSeconds(60), Duration.ofSeconds(1))
                .run(target, target.script(), List.of("/run?x=1", "/run?x=2"), List.of("work"));

        assertThat(run.failure()).as(exit).isNull();
        assertThat(run.answers()).extracting(AgentRuns.Answer::body).containsExactly("12", "12");
        assertThat(run.counts().get("work").calls()).as(exit).isEqualTo(4);
    }

    @Test
    void aKilledAgentThatLeftNoCountsIsAFailedMeasurementNotZeroCalls() throws IOException {
        ProfileTarget target = target("blocks"); // SIGTERM never reaches it: only SIGKILL ends it, before any count is written

        AgentRuns.Run run = new CacheProof(new AgentRuns(Duration.ofSeconds(60), Duration.ofSeconds(1)))
                .measure(target, List.of("/run?x=1"), List.of("work"));

        assertThat(run.ok()).isFalse();
        assertThat(run.counts()).isEmpty();
        assertThat(run.failure()).contains("its calls could not be measured", "was killed before its call counts were written");
    }

    private static String python() {
        String configured = System.getProperty("fleetshell.test.python");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
