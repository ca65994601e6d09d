package io.fleetshell.shell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's Java agents through the real shell: inventory, profile with real JVMs, and score. */
class JavaAgentCommandsTest {

    @TempDir
    Path home;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void javaAgentsAreListedWithTheirLanguageProfiledInJvmsAndScoredOnTheSameFactors() {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();

        ShellHarness.Run list = shell.oneShot("inventory", "list", "--json");
        assertThat(list.status()).isZero();
        JsonNode agents = json.readTree(list.out()).get("agents");
        assertThat(agents).filteredOn(a -> a.get("language").asString().equals("java")).extracting(a -> a.get("name").asString())
                .containsExactlyInAnyOrder("KnowledgeIndexAgent", "SignatureService", "RouteMatcherAgent");
        assertThat(agents).filteredOn(a -> a.get("name").asString().equals("TutorAgent"))
                .singleElement().satisfies(a -> assertThat(a.get("language").asString()).isEqualTo("python"));
        JsonNode signature = json.readTree(shell.oneShot("inventory", "show", "SignatureService", "--json").out());
        assertThat(signature.propertyNames()).contains("language", "java").doesNotContain("python");
        assertThat(signature.get("java").propertyNames()).containsExactly("java", "main_class", "source_root", "classpath", "jvm_options",
                "run_command");
        assertThat(shell.oneShot("inventory", "show", "SignatureService").out())
                .containsPattern("language\\s+java").containsPattern("jvm_options\\s+-XX:TieredStopAtLevel=1");

        ShellHarness.Run unmeasured = shell.oneShot("score", "SignatureService");
        assertThat(unmeasured.status()).as(unmeasured.err()).isZero();
        assertThat(unmeasured.out()).contains("not measured: static facts only", "java_memoize_field: 2 instance fields (digest, compressedCorpus)",
                "java_unused_imports: 1 unused import (Base64)").containsPattern("payload.*eager.*while the object is built");

        ShellHarness.Run profile = shell.oneShot("profile", "KnowledgeIndexAgent", "--runs", "1");
        assertThat(profile.status()).as(profile.err()).isZero();
        assertThat(profile.err()).contains("start to healthy");

        ShellHarness.Run score = shell.oneShot("score", "KnowledgeIndexAgent", "--json");
        assertThat(score.status()).as(score.err()).isZero();
        JsonNode s = json.readTree(score.out());
        assertThat(s.get("baseline_version").asInt()).isEqualTo(1);
        assertThat(s.get("load_ms").asDouble()).isPositive();
        assertThat(s.get("predicted_gain_ms").asDouble()).isPositive();
        assertThat(s.get("factors").get("startup_impact").asDouble()).isPositive();
        assertThat(s.get("recommendations").get(0).get("pattern").asString()).isEqualTo("java_lazy_holder");
        assertThat(s.get("statements")).filteredOn(st -> st.get("text").asString().contains("KnowledgeIndexAgent.INDEX"))
                .singleElement().satisfies(st -> {
                    assertThat(st.get("verdict").asString()).isEqualTo("deferrable");
                    assertThat(st.get("ms").asDouble()).isPositive();
                });
        assertThat(s.get("statements")).filteredOn(st -> st.get("text").asString().contains("PRIMES"))
                .singleElement().satisfies(st -> assertThat(st.get("verdict").asString()).isEqualTo("eager"));
    }

    @Test
    void optimizeShowsACompilingDiffAndAMeasuredStartUpChangeForAJavaAgent() {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();

        ShellHarness.Run run = shell.oneShot("optimize", "RouteMatcherAgent", "--dry-run", "--runs", "4", "--json");
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode result = json.readTree(run.out());
        assertThat(result.get("pattern").asString()).isEqualTo("java_unused_imports+java_lazy_holder");
        assertThat(result.get("diff").asString()).contains("-import java.util.stream.Collectors;",
                "+    private static final class RoutesHolder {", "+        return RoutesHolder.ROUTES;");
        assertThat(result.get("patterns").get("java_memoize_field").get("applies").asBoolean()).isFalse();
        assertThat(result.get("deferred")).extracting(JsonNode::asString)
                .containsExactly("RouteMatcherAgent.ROUTES", "RouteMatcherAgent.SHARDS");
        JsonNode checks = result.get("proof").get("checks");
        assertThat(checks).extracting(c -> c.get("name").asString()).containsExactly("parses", "compiles", "agent tests", "starts", "start-up");
        assertThat(checks.get(1).get("outcome").asString()).isEqualTo("passed");
        JsonNode startUp = checks.get(4);
        assertThat(startUp.get("evidence").get("before_ms")).hasSize(4);
        assertThat(startUp.get("evidence").get("change_ms").asDouble()).isNotZero();

        ShellHarness.Run python = shell.oneShot("optimize", "TutorAgent", "--dry-run", "--pattern", "java_lazy_holder");
        assertThat(python.status()).isEqualTo(2);
        ShellHarness.Run wrong = shell.oneShot("optimize", "RouteMatcherAgent", "--dry-run", "--pattern", "lazy_loading");
        assertThat(wrong.status()).isEqualTo(2);
        assertThat(wrong.err()).contains("no Java pattern named lazy_loading", "java_lazy_holder");
    }
}
