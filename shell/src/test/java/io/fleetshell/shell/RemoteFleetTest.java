package io.fleetshell.shell;

import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole loop on a demo fleet whose pc2 lives on a "remote" host (a real sshd in a mount namespace of its own, whose
 * fleet root and state directory are a tmpfs this JVM cannot see) under another root than mainpc's: inventory load
 * pc2:/PATH, profile, score, optimize --dry-run (its proof on the host), agents start on the host, batch deploy with
 * its analysis and its proofs on the host, rollback byte-exact, health, watch --once, agents stop; the agent's pid file
 * and log are in the host's state directory, never in FLEETSHELL_HOME. Every file of pc2 is looked at through the
 * namespace ({@link Sshd#sha256}, {@link Sshd#exists}): a step that still read or wrote here would fail.
 */
class RemoteFleetTest {

    private static final String AGENT = "pc2/AsyncProcessor";
    private static final String SCRIPT = "pc2_code/agents/async_processor.py";

    @TempDir
    Path home;
    @TempDir
    Path dir;

    private final JsonMapper json = JsonMapper.builder().build();
    private RemotePc2 pc2;
    private Sshd sshd;
    private ShellHarness shell;

    @AfterEach
    void stop() throws InterruptedException {
        if (shell != null) {
            shell.oneShot("agents", "stop");
        }
        if (pc2 != null) {
            pc2.close();
        }
    }

    @Test
    void theWholeLoopRunsOnAMachineReachedOverSsh() throws Exception {
        // pc2's tree on the "remote" host, under a root of its own (mainpc stays in FLEETSHELL_HOME/demo).
        pc2 = RemotePc2.start(dir, home, "fleet", 12000);
        sshd = pc2.sshd();
        shell = pc2.shell();
        Path root = pc2.root();
        Path state = pc2.state();
        pc2.configure();
        pc2.load();
        Path script = root.resolve(SCRIPT);
        String original = sshd.sha256(script);

        ShellHarness.Run profile = timed("profile", AGENT, "--runs", "2");
        assertThat(profile.status()).as(profile.err()).isZero();
        ShellHarness.Run score = timed("score", AGENT, "--json");
        assertThat(score.status()).as(score.err()).isZero();
        assertThat(json.readTree(score.out()).get("agent").asString()).isEqualTo(AGENT);
        ShellHarness.Run dryRun = timed("optimize", AGENT, "--dry-run", "--runs", "4");
        assertThat(dryRun.status()).as(dryRun.err()).isZero();
        assertThat(dryRun.out()).contains("lazy_loading");
        assertThat(sshd.sha256(script)).isEqualTo(original);
        assertThat(sshd.inside("ls", "-A", "--", script.getParent().toString())).doesNotContain(".fleetshell-");

        ShellHarness.Run start = timed("agents", "start", AGENT, "--json");
        assertThat(start.status()).as(start.err()).isZero();
        JsonNode started = json.readTree(start.out()).get("agents").get(0);
        assertThat(started.get("result").asString()).isEqualTo("healthy");
        assertThat(started.get("log").asString()).isEqualTo("pc2:" + state.resolve("logs/pc2/AsyncProcessor.log"));
        assertThat(sshd.exists(state.resolve("run/pc2/AsyncProcessor.json"))).isTrue();
        assertThat(home.resolve("run/pc2/AsyncProcessor.json")).doesNotExist();

        ShellHarness.Run deploy = timed("batch", "deploy", "--agents", "AsyncProcessor", "--batch-size", "1", "--runs", "4",
                "--yes");
        // The analysis restarted the agent on its host and sent it traffic there, before and after the change. Its verdict
        // depends on the machine's load (time-to-healthy varies): applied, held as inconclusive, or rolled back by it
        // byte-exact on the host; the rollback below undoes the first two.
        String said = deploy.out() + deploy.err();
        assertThat(said).contains("analysis: baseline of " + AGENT, "analysis: measuring " + AGENT + " after the change");
        assertThat(deploy.status()).as(said).isIn(0, 1);
        assertThat(said).containsAnyOf("applied", "held: proved and restarted", "rolled back (sha256");
        boolean rewritten = !sshd.sha256(script).equals(original);
        // the written file's proof loaded it on the host: a load here would not find the file and fail these checks
        assertThat(said).doesNotContain("proof failed: compiles", "proof failed: loads", "proof failed: compiles in place");
        assertThat(rewritten).as(said).isEqualTo(!said.contains("rolled back (sha256"));

        ShellHarness.Run status = timed("agents", "status", AGENT, "--json");
        JsonNode running = json.readTree(status.out()).get("agents").get(0);
        assertThat(running.get("state").asString()).isEqualTo("running");
        assertThat(running.get("health").get("healthy").asBoolean()).isTrue();

        ShellHarness.Run watch = timed("watch", AGENT, "--once", "--json");
        assertThat(watch.status()).as(watch.err()).isZero();
        assertThat(json.readTree(watch.out()).get("up").asInt()).isEqualTo(1);
        ShellHarness.Run health = timed("health", "--json");
        assertThat(health.out()).contains(AGENT + " answers its health check");

        if (rewritten) {
            ShellHarness.Run rollback = timed("rollback", "--deployment", "1", "--yes");
            assertThat(rollback.status()).as(rollback.out() + rollback.err()).isZero();
        }
        assertThat(sshd.sha256(script)).isEqualTo(original);

        ShellHarness.Run logs = timed("agents", "logs", AGENT, "--tail", "0");
        assertThat(logs.status()).as(logs.err()).isZero();
        assertThat(logs.out()).contains("--- fleetshell ", "spawn ", root.resolve(SCRIPT).toString());

        ShellHarness.Run stop = timed("agents", "stop", AGENT);
        assertThat(stop.status()).as(stop.err()).isZero();
        assertThat(stop.out()).contains("SIGTERM");
        assertThat(sshd.exists(state.resolve("run/pc2/AsyncProcessor.json"))).isFalse();
        assertThat(json.readTree(timed("agents", "status", AGENT, "--json").out()).get("agents").get(0).get("state").asString())
                .isEqualTo("not_started");
    }

    /** One command, its wall time on stderr: on a loaded machine the loop's time is where its steps went. */
    private ShellHarness.Run timed(String... args) {
        long started = System.nanoTime();
        ShellHarness.Run run = shell.oneShot(args);
        System.err.printf("RemoteFleetTest: %s took %.1f s (load average %.1f)%n", String.join(" ", args), (System.nanoTime() - started) / 1e9,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return run;
    }
}
