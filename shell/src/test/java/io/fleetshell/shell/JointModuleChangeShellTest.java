package io.fleetshell.shell;

import io.fleetshell.engine.Checksums;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The joint change of several shared modules in the real shell, on the demo fleet's two text modules that both import
 * the heavy {@code common.lexicon} and that TranslationService and TutorAgent both load (issue 14): one module alone is
 * refused (no gain while the other still loads the lexicon), both together are proved once over their dependents and
 * deploy as ONE step of three files (the helper and the two modules); {@code batch deploy --modules} puts that step
 * before an agent step proved on the fleet with it in place; {@code rollback --deployment} and {@code rollback MODULE}
 * of any one module of the step put every file back byte-exact and remove the helper.
 */
class JointModuleChangeShellTest {

    @TempDir
    Path home;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void twoModulesThatGainOnlyTogetherAreProvedDeployedAndRolledBackAsOneStep() throws Exception {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        Path features = home.resolve("demo/common/text_features.py");
        Path spelling = home.resolve("demo/common/spelling.py");
        Path helper = home.resolve("demo/common/_fleetshell_lazy.py");
        Path agent = home.resolve("demo/pc2_code/agents/translation_service.py");
        String featuresBefore = Checksums.sha256(features);
        String spellingBefore = Checksums.sha256(spelling);
        String agentBefore = Checksums.sha256(agent);

        ShellHarness.Run alone = shell.oneShot("optimize", "common.text_features", "--dry-run", "--runs", "6", "--json");
        assertThat(alone.status()).as("deferring the lexicon in one module gains nothing while the other loads it: " + alone.out() + alone.err()).isEqualTo(1);
        JsonNode refused = json.readTree(alone.out());
        assertThat(refused.get("proof").get("deployable").asBoolean()).isFalse();
        assertThat(refused.get("proof").get("load_time").get("outcome").asString()).isEqualTo("failed");

        ShellHarness.Run dry = shell.oneShot("optimize", "common.text_features,common.spelling,common.lexicon", "--dry-run", "--runs", "6", "--json");
        assertThat(dry.status()).as(dry.err()).isZero();
        JsonNode joint = json.readTree(dry.out());
        assertThat(joint.get("modules").toString()).isEqualTo("[\"common.text_features\",\"common.spelling\"]");
        assertThat(joint.get("left_out").get("common.lexicon").asString()).startsWith("its rewrite changes nothing");
        assertThat(joint.get("helper_module").asString()).isEqualTo("common._fleetshell_lazy");
        assertThat(joint.get("files")).extracting(f -> f.get("file").asString())
                .containsExactly(helper.toString(), features.toString(), spelling.toString());
        assertThat(joint.get("dependents").toString()).contains("mainpc/TutorAgent", "pc2/TranslationService");
        assertThat(joint.get("per_module")).hasSize(2);
        assertThat(joint.get("per_module").get(0).get("dependents_evidence").has("pc2/TranslationService")).isTrue();
        assertThat(joint.get("proof").get("deployable").asBoolean()).as(joint.get("proof").toString()).isTrue();
        assertThat(Checksums.sha256(features)).as("a dry run changes nothing").isEqualTo(featuresBefore);
        assertThat(Files.exists(helper)).isFalse();

        ShellHarness.Run mixed = shell.oneShot("batch", "deploy", "--modules", "common.text_features,common.spelling", "--agents",
                "TranslationService", "--runs", "6", "--interval", "0", "--batch-size", "2", "--yes", "--json");
        assertThat(mixed.status()).as(mixed.err()).isZero();
        JsonNode steps = json.readTree(mixed.out()).get("steps");
        assertThat(steps).hasSize(2);
        assertThat(steps.get(0).get("module").asString()).isEqualTo("common.text_features,common.spelling");
        assertThat(steps.get(0).get("state").asString()).isEqualTo("applied");
        assertThat(steps.get(0).get("files")).hasSize(3);
        assertThat(steps.get(1).get("agent").asString()).isEqualTo("pc2/TranslationService");
        assertThat(Files.readString(spelling)).contains("from common._fleetshell_lazy import _fleetshell_lazy\n");
        assertThat(Files.exists(helper)).isTrue();

        ShellHarness.Run undone = shell.oneShot("rollback", "--deployment", "1", "--yes");
        assertThat(undone.status()).as(undone.err()).isZero();
        assertThat(Checksums.sha256(features)).as("byte-exact").isEqualTo(featuresBefore);
        assertThat(Checksums.sha256(spelling)).as("byte-exact").isEqualTo(spellingBefore);
        assertThat(Checksums.sha256(agent)).as("byte-exact").isEqualTo(agentBefore);
        assertThat(Files.exists(helper)).as("the helper the joint step created is removed").isFalse();

        ShellHarness.Run deployed = shell.oneShot("optimize", "--modules", "common.text_features,common.spelling", "--runs", "6");
        assertThat(deployed.status()).as(deployed.err()).isZero();
        assertThat(deployed.out()).contains("deployment 2: completed");
        ShellHarness.Run one = shell.oneShot("rollback", "common.spelling");
        assertThat(one.status()).as(one.err()).isZero();
        assertThat(one.out()).contains("removed " + helper + " (the step created it)");
        assertThat(Checksums.sha256(features)).as("one module names the whole joint step").isEqualTo(featuresBefore);
        assertThat(Checksums.sha256(spelling)).isEqualTo(spellingBefore);
        assertThat(Files.exists(helper)).isFalse();
    }
}
