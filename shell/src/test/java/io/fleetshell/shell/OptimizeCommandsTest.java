package io.fleetshell.shell;

import io.fleetshell.engine.Checksums;
import io.fleetshell.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** optimize on the demo fleet in the real shell: the dry-run JSON other tools read, and every refusal with its exit status. */
class OptimizeCommandsTest {

    @TempDir
    Path home;

    @TempDir
    Path scratch;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void dryRunJsonCarriesThePatternADiffThatPatchAppliesTheNotesAndTheProofAndChangesNothing() throws Exception {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        Path script = home.resolve("demo/pc2_code/agents/translation_service.py");
        String before = Checksums.sha256(script);

        ShellHarness.Run run = shell.oneShot("optimize", "TranslationService", "--dry-run", "--runs", "5", "--json");
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode result = json.readTree(run.out());
        assertThat(result.get("agent").asString()).isEqualTo("pc2/TranslationService");
        assertThat(result.get("pattern").asString()).isEqualTo("lazy_loading");
        assertThat(result.get("applied").asBoolean()).isFalse();
        assertThat(result.get("patterns").get("dependency_reduction").get("applies").asBoolean()).isFalse();
        assertThat(result.get("notes").toString()).contains("kept eager: `import difflib` (line 3): line 31 uses it");
        List<String> checks = new ArrayList<>();
        result.get("proof").get("checks").forEach(c -> checks.add(c.get("name").asString() + "=" + c.get("outcome").asString()));
        assertThat(checks).containsExactly("compiles=passed", "no new undefined name=passed", "loads=passed",
                "same module names=passed", "same loaded state=passed", "load time=passed", "agent tests=skipped");
        JsonNode loadTime = result.get("proof").get("checks").get(5).get("evidence");
        // --runs 5 is the first look of the sequential test; it takes more pairs only while it cannot decide (issue 16 item 9)
        int pairs = loadTime.get("pairs").asInt();
        assertThat(pairs).isGreaterThanOrEqualTo(5);
        assertThat(loadTime.get("before_ms")).hasSize(pairs);
        assertThat(loadTime.get("load_average")).hasSize(pairs);
        // Decided on the loads' CPU time, which a busy machine hardly moves (issue 22); the wall times stay as evidence.
        assertThat(loadTime.get("decided_on").asString()).isEqualTo("cpu_ms");
        assertThat(loadTime.get("before_cpu_ms")).hasSize(pairs).allSatisfy(ms -> assertThat(ms.asDouble()).isPositive());
        assertThat(loadTime.get("after_cpu_ms")).hasSize(pairs);
        assertThat(Checksums.sha256(script)).as("a dry run changes nothing").isEqualTo(before);

        Path copy = scratch.resolve("translation_service.py");
        Files.copy(script, copy, StandardCopyOption.REPLACE_EXISTING);
        Path diff = scratch.resolve("change.diff");
        Files.writeString(diff, result.get("diff").asString());
        Process patch = new ProcessBuilder("patch", "--quiet", copy.toString(), diff.toString()).redirectErrorStream(true).start();
        String patched = new String(patch.getInputStream().readAllBytes());
        assertThat(Await.exit(patch, Duration.ofSeconds(60))).as(patched).isZero();
        assertThat(Files.readString(copy)).contains("client = _fleetshell_lazy(\"xmlrpc.client\", \"xmlrpc.client\")");
    }

    @Test
    void withoutDryRunItAppliesAsAOneAgentDeploymentAndASecondRunFindsNothingToDo() throws Exception {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        Path script = home.resolve("demo/pc2_code/agents/ForPC2/cache_manager.py");
        String original = Files.readString(script);

        ShellHarness.Run run = shell.oneShot("optimize", "CacheManager", "--runs", "5", "--json");
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode result = json.readTree(run.out());
        assertThat(result.get("applied").asBoolean()).isTrue();
        assertThat(result.get("deployment").get("state").asString()).isEqualTo("completed");
        assertThat(result.get("deployment").get("step_state").asString()).isEqualTo("applied");
        String written = Files.readString(script);
        assertThat(written).isNotEqualTo(original).contains("tarfile = _fleetshell_lazy(\"tarfile\", \"tarfile\")");

        ShellHarness.Run again = shell.oneShot("optimize", "CacheManager", "--dry-run");
        assertThat(again.status()).as(again.err()).isZero();
        assertThat(again.out()).contains("nothing to change").contains("rewritten by lazy_loading already");
        assertThat(Files.readString(script)).isEqualTo(written);
    }

    @Test
    void refusesTheSyntaxErrorAgentTheInfrastructureAgentAndUnknownPatternsWithExit2() throws IOException {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        ShellHarness.Run syntax = shell.oneShot("optimize", "LearningAdjusterAgent", "--dry-run");
        assertThat(syntax.status()).isEqualTo(2);
        assertThat(syntax.err()).contains("learning_adjuster_agent.py:23: syntax error at line 23").contains("nothing was changed");
        ShellHarness.Run infrastructure = shell.oneShot("optimize", "ObservabilityHub", "--dry-run");
        assertThat(infrastructure.status()).isEqualTo(2);
        assertThat(infrastructure.err()).contains("infrastructure agent").contains("infrastructure_agents");
        ShellHarness.Run pattern = shell.oneShot("optimize", "TutorAgent", "--pattern", "lazy", "--dry-run");
        assertThat(pattern.status()).isEqualTo(2);
        assertThat(pattern.err()).contains("no pattern named lazy").contains("lazy_loading");
        assertThat(shell.oneShot("optimize", "NoSuchAgent", "--dry-run").status()).isEqualTo(2);
    }
}
