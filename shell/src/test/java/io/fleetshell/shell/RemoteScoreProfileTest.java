package io.fleetshell.shell;

import io.fleetshell.testing.Await;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code score}, {@code score --modules}, {@code score MODULE} and {@code profile} of a machine whose fleet root exists
 * only on its host: a real sshd in a mount namespace of its own ({@link Sshd#startIsolated}), so that nothing of pc2's
 * tree is at that path on this computer and every figure can only come from the host's files. The host's copy differs
 * from the demo's on purpose (an extra import in an agent, a module only it has imported by the shared base agent), so
 * facts read anywhere else would miss them.
 */
class RemoteScoreProfileTest {

    private static final String AGENT = "pc2/AsyncProcessor";

    @TempDir
    static Path home;
    @TempDir
    static Path dir;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static RemotePc2 pc2;
    private static Sshd sshd;
    private static ShellHarness shell;
    private static Path root;

    @BeforeAll
    static void remoteFleet() throws Exception {
        pc2 = RemotePc2.start(dir, home, "fleet root", null);
        sshd = pc2.sshd();
        shell = pc2.shell();
        root = pc2.root();
        Path agent = root.resolve("pc2_code/agents/async_processor.py");
        sshd.writeString(agent, sshd.readString(agent).replaceFirst("(?m)^import asyncio$", "import asyncio\nimport fractions"));
        Path base = root.resolve("common/base_agent.py");
        sshd.writeString(base, "import common.remote_only\n" + sshd.readString(base));
        sshd.writeString(root.resolve("common/remote_only.py"), "import decimal\n\nPLACES = decimal.Decimal(2)\n");
        pc2.configure();
        pc2.load();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pc2 != null) {
            pc2.close();
        }
    }

    @Test
    void scoreModulesAndScoreModuleReadTheHostsTree() throws Exception {
        ShellHarness.Run ranking = shell.oneShot("score", "--modules", "--json");
        assertThat(ranking.status()).as(ranking.err()).isZero();
        assertThat(ranking.err()).doesNotContain("not in the import graph");
        List<String> modules = new ArrayList<>();
        JSON.readTree(ranking.out()).get("modules").forEach(m -> modules.add(m.get("module").asString()));
        assertThat(modules).contains("common.remote_only", "common.base_agent");

        ShellHarness.Run module = shell.oneShot("score", "common.remote_only", "--json");
        assertThat(module.status()).as(module.err()).isZero();
        JsonNode detail = JSON.readTree(module.out());
        assertThat(detail.get("file").asString()).isEqualTo(root.resolve("common/remote_only.py").toString());
        List<String> dependents = new ArrayList<>();
        detail.get("dependents").forEach(d -> dependents.add(d.asString()));
        assertThat(dependents).contains(AGENT);
    }

    /**
     * {@code score} of a Python agent asks the host once (a Java agent's source is read in a session of its own): the facts helper starts the machine's python from its fleet root with its
     * environment, so the name resolves there as it does for the agents, with no question for the executable first
     * (issue 20: each session to a host costs its login shell's start-up; two per host made score slower than Ansible).
     */
    @Test
    void scoreAsksTheHostOnce() throws Exception {
        shell.oneShot("score", AGENT, "--json"); // the connection is up
        long before = sshd.sessions();

        ShellHarness.Run score = shell.oneShot("score", AGENT, "--json");

        assertThat(score.status()).as(score.err()).isZero();
        assertThat(score.out()).contains(AGENT);
        Await.until("sshd to log the sessions", java.time.Duration.ofSeconds(10), () -> sessionsSince(before) >= 1);
        assertThat(sessionsSince(before)).as(sshd.log()).isEqualTo(1);
    }

    private static long sessionsSince(long before) {
        try {
            return sshd.sessions() - before;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void scoreAndProfileOfAnAgentRunOnItsHost() throws Exception {
        ShellHarness.Run score = shell.oneShot("score", AGENT, "--json");
        assertThat(score.status()).as(score.err()).isZero();
        JsonNode scored = JSON.readTree(score.out());
        assertThat(scored.get("status").asString()).as(score.out()).isNotEqualTo("not_analyzed");
        List<String> statements = new ArrayList<>();
        scored.get("statements").forEach(s -> statements.add(s.get("text").asString()));
        assertThat(statements).as("the host's copy has it; no file here does").contains("import fractions");

        ShellHarness.Run profile = shell.oneShot("profile", AGENT, "--runs", "1", "--json");
        assertThat(profile.status()).as(profile.err()).isZero();
        JsonNode baseline = JSON.readTree(profile.out()).get("baselines").get(0);
        assertThat(baseline.get("loaded").asBoolean()).as(profile.out()).isTrue();
        assertThat(baseline.get("measured_on").asString()).isEqualTo(sshd.access().describe());
        List<String> imported = new ArrayList<>();
        baseline.get("statements").forEach(s -> imported.add(s.get("module").asString()));
        assertThat(imported).contains("fractions");
        ShellHarness.Run text = shell.oneShot("baseline", "show", AGENT);
        assertThat(text.out()).contains("on " + sshd.access().describe());
    }

    @Test
    void inventoryEnvAsksTheHostsInterpreterAndLooksForItsPathsThere() throws Exception {
        ShellHarness.Run env = shell.oneShot("inventory", "env", AGENT, "--json");

        assertThat(env.status()).as(env.err()).isZero();
        JsonNode report = JSON.readTree(env.out());
        assertThat(report.get("problem").isNull()).as(env.out()).isTrue();
        assertThat(report.get("executable").asString()).contains("(Python 3.");
        JsonNode first = report.get("sys_path").get(0);
        assertThat(first.get("path").asString()).isEqualTo(root.resolve("pc2_code/agents").toString());
        assertThat(first.get("exists").asBoolean()).as("found on the host; this computer has no such directory").isTrue();
        List<String> origins = new ArrayList<>();
        report.get("environment").forEach(v -> origins.add(v.get("origin").asString()));
        assertThat(origins).as("this JVM's environment is not what the host's processes inherit").doesNotContain("inherited");
    }

    @Test
    void healthReadsAStoppedAgentsScriptOnItsHostBeforeAdvisingAStart() throws Exception {
        Path script = root.resolve("pc2_code/agents/translation_service.py");
        String original = sshd.readString(script);
        sshd.writeString(script, original + "\ndef broken(:\n");
        try {
            ShellHarness.Run health = shell.oneShot("health");

            assertThat(health.out() + health.err()).contains("its script does not parse (" + script + ":")
                    .contains("fix it, then agents start TranslationService");
        } finally {
            sshd.writeString(script, original);
        }
    }
}
