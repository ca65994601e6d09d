package io.fleetshell.shell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The demo's Java agents through the real shell: inventory, profile with real JVMs, and score; and on a machine whose
 * {@code java:} is a real Java 17, profile and optimize with classes built for release 17.
 */
class JavaAgentCommandsTest {

    /** A real Java 17 beside fleetshell's JDK (this machine has it). */
    private static final Path JAVA_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

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
        ShellHarness.Run shown = shell.oneShot("baseline", "show", "KnowledgeIndexAgent");
        assertThat(shown.out()).as("a Java runtime is not called Python").containsPattern("\\(java \\d+\\)").doesNotContain("Python");

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

    @Test
    void aMachineWithJava17ProfilesAndOptimizesItsJavaAgentWithClassesBuiltForRelease17() throws Exception {
        assumeTrue(Files.isExecutable(JAVA_17), "a Java 17 at " + JAVA_17);
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        // fleetshell's own JDK first: its release-%d builds are in the cache when the Java 17 machine asks
        ShellHarness.Run on25 = shell.oneShot("profile", "KnowledgeIndexAgent", "--runs", "1");
        assertThat(on25.status()).as(on25.err()).isZero();

        Files.writeString(home.resolve("settings.yaml"), """
                machines:
                  mainpc:
                    java: %s
                """.formatted(JAVA_17));
        assertThat(shell.oneShot("inventory", "refresh").status()).isZero();
        ShellHarness.Run on17 = shell.oneShot("profile", "KnowledgeIndexAgent", "--runs", "1");
        assertThat(on17.status()).as(on17.out() + on17.err()).isZero();
        assertThat(on17.out() + on17.err()).contains("start to healthy").doesNotContain("NotHealthy", "UnsupportedClassVersionError");
        ShellHarness.Run score = shell.oneShot("score", "KnowledgeIndexAgent", "--json");
        assertThat(score.status()).as(score.err()).isZero();
        assertThat(json.readTree(score.out()).get("load_ms").asDouble()).as("measured on Java 17").isPositive();

        ShellHarness.Run run = shell.oneShot("optimize", "KnowledgeIndexAgent", "--dry-run", "--runs", "4", "--json");
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode result = json.readTree(run.out());
        assertThat(result.get("python").asString()).isEqualTo(JAVA_17.toString());
        assertThat(result.get("python_version").asString()).isEqualTo("java 17");
        assertThat(result.get("pattern").asString()).contains("java_lazy_holder");
        JsonNode checks = result.get("proof").get("checks");
        assertThat(checks).extracting(c -> c.get("name").asString()).contains("compiles", "starts", "start-up");
        assertThat(checks).filteredOn(c -> c.get("name").asString().equals("compiles")).singleElement().satisfies(c -> {
            assertThat(c.get("outcome").asString()).isEqualTo("passed");
            assertThat(c.get("detail").asString()).contains("for Java 17");
            assertThat(c.get("evidence").get("release").asInt()).isEqualTo(17);
        });
        assertThat(checks).filteredOn(c -> c.get("name").asString().equals("starts")).singleElement()
                .satisfies(c -> assertThat(c.get("outcome").asString()).as(c.toString()).isEqualTo("passed"));
    }
}
