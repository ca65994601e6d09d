package io.fleetshell.shell;

import io.fleetshell.engine.Checksums;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * optimize MODULE on the demo fleet's shared base module (issue 14 items 2, 3 and 5), in the real shell: the diff of
 * every file of the change (the module and the helper it creates), the proof on each of the ten agents that import it,
 * what a dry run leaves on disk, the change deployed as one step and rolled back byte-exact with the helper removed, and
 * {@code batch deploy --modules} planning the module's step before an agent step and undoing both.
 */
class OptimizeModuleTest {

    @TempDir
    Path home;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void theSharedBaseModuleIsRewrittenWithAHelperAndProvedOnEveryAgentThatImportsIt() throws Exception {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        Path module = home.resolve("demo/common/base_agent.py");
        String before = Checksums.sha256(module);

        ShellHarness.Run run = shell.oneShot("optimize", "common.base_agent", "--dry-run", "--runs", "4", "--json");
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode result = json.readTree(run.out());
        assertThat(result.get("module").asString()).isEqualTo("common.base_agent");
        assertThat(result.get("helper_module").asString()).isEqualTo("common._fleetshell_lazy");
        assertThat(result.get("deferred").toString()).isEqualTo("[\"model_zoo\"]");
        JsonNode helper = result.get("files").get(0);
        assertThat(helper.get("file").asString()).isEqualTo(home.resolve("demo/common/_fleetshell_lazy.py").toString());
        assertThat(helper.get("creates").asBoolean()).isTrue();
        assertThat(helper.get("diff").asString()).startsWith("--- /dev/null\n+++ b/_fleetshell_lazy.py (lazy_loading)\n");
        JsonNode rewritten = result.get("files").get(1);
        assertThat(rewritten.get("diff").asString())
                .contains("+from common._fleetshell_lazy import _fleetshell_lazy\n", "-from common import model_zoo\n",
                        "+model_zoo = _fleetshell_lazy(\"common.model_zoo\", \"common.model_zoo\")\n")
                .doesNotContain("def _fleetshell_lazy(");
        assertThat(rewritten.get("notes").toString()).contains("kept eager: `from common import agent_registry` (line 17): an importer needs it")
                .contains("__init_subclass__");

        JsonNode proof = result.get("proof");
        assertThat(proof.get("deployable").asBoolean()).isTrue();
        assertThat(proof.get("dependents")).hasSize(10);
        for (JsonNode dependent : proof.get("dependents")) {
            List<String> checks = new ArrayList<>();
            dependent.get("checks").forEach(c -> checks.add(c.get("name").asString() + "=" + c.get("outcome").asString()));
            assertThat(checks).as(dependent.get("agent").asString())
                    .containsExactly("loads=passed", "same module names=passed", "agent tests=skipped");
            assertThat(dependent.get("load_time").get("pairs").asInt()).isEqualTo(2);
            assertThat(dependent.get("load_time").get("before_cpu_ms")).hasSize(2);
        }
        assertThat(proof.get("load_time").get("evidence").get("test").asString()).startsWith("stratified sign test");
        assertThat(proof.get("load_time").get("evidence").get("pairs").asInt()).isEqualTo(20);
        assertThat(Checksums.sha256(module)).as("a dry run changes nothing").isEqualTo(before);
        assertThat(Files.exists(home.resolve("demo/common/_fleetshell_lazy.py"))).isFalse();

        ShellHarness.Run applied = shell.oneShot("optimize", "common.base_agent", "--runs", "4", "--json");
        assertThat(applied.status()).as(applied.err()).isZero();
        JsonNode deployment = json.readTree(applied.out());
        assertThat(deployment.get("applied").asBoolean()).isTrue();
        assertThat(deployment.get("deployment").get("state").asString()).isEqualTo("completed");
        Path helperFile = home.resolve("demo/common/_fleetshell_lazy.py");
        assertThat(Files.readString(helperFile)).startsWith("\"\"\"The loader of fleetshell's lazy_loading");
        assertThat(Files.readString(module)).contains("from common._fleetshell_lazy import _fleetshell_lazy\n");

        ShellHarness.Run rolledBack = shell.oneShot("rollback", "common.base_agent");
        assertThat(rolledBack.status()).as(rolledBack.err()).isZero();
        assertThat(Checksums.sha256(module)).as("byte-exact").isEqualTo(before);
        assertThat(Files.exists(helperFile)).as("the helper the change created is removed").isFalse();

        // batch deploy mixes both: the module's step (all its files) is planned and run before the agent steps that import
        // it, and rollback --deployment undoes the whole deployment byte-exact, the helper removed.
        Path agentFile = home.resolve("demo/pc2_code/agents/translation_service.py");
        String agentBefore = Checksums.sha256(agentFile);
        ShellHarness.Run mixed = shell.oneShot("batch", "deploy", "--modules", "common.base_agent", "--agents", "TranslationService",
                "--runs", "4", "--interval", "0", "--yes", "--json");
        assertThat(mixed.status()).as(mixed.err()).isZero();
        JsonNode steps = json.readTree(mixed.out()).get("steps");
        assertThat(steps).hasSize(2);
        assertThat(steps.get(0).get("module").asString()).isEqualTo("common.base_agent");
        assertThat(steps.get(0).get("state").asString()).isEqualTo("applied");
        assertThat(steps.get(0).get("files")).hasSize(2);
        assertThat(steps.get(1).get("agent").asString()).isEqualTo("pc2/TranslationService");
        assertThat(steps.get(1).has("module")).isFalse();
        assertThat(Files.exists(helperFile)).isTrue();
        long mixedId = json.readTree(mixed.out()).get("deployment").asLong();
        ShellHarness.Run undone = shell.oneShot("rollback", "--deployment", String.valueOf(mixedId), "--yes");
        assertThat(undone.status()).as(undone.err()).isZero();
        assertThat(Checksums.sha256(module)).as("byte-exact").isEqualTo(before);
        assertThat(Checksums.sha256(agentFile)).as("byte-exact").isEqualTo(agentBefore);
        assertThat(Files.exists(helperFile)).as("the helper the change created is removed").isFalse();

        ShellHarness.Run helperAlone = shell.oneShot("batch", "deploy", "--agents", "TranslationService", "--helper-package", "common", "--dry-run");
        assertThat(helperAlone.status()).isEqualTo(2);
        assertThat(helperAlone.err()).contains("--helper-package is for shared modules");

        ShellHarness.Run text = shell.oneShot("optimize", "common/base_agent.py", "--dry-run", "--runs", "4", "--pattern", "dependency_reduction");
        assertThat(text.status()).as(text.err()).isZero();
        assertThat(text.out()).contains("common.base_agent: ", "nothing to change:");

        ShellHarness.Run unknown = shell.oneShot("optimize", "common.no_such_module", "--dry-run");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("No agent imports a module 'common.no_such_module'");

        ShellHarness.Run agentWithHelper = shell.oneShot("optimize", "TranslationService", "--dry-run", "--helper-package", "common");
        assertThat(agentWithHelper.status()).isEqualTo(2);
        assertThat(agentWithHelper.err()).contains("--helper-package is for a shared module");
    }
}
