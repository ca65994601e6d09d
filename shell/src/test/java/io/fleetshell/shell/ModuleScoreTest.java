package io.fleetshell.shell;

import io.fleetshell.shell.cli.FleetCompleter;
import org.jline.reader.Candidate;
import org.jline.reader.ParsedLine;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** score --modules and score MODULE on the demo fleet (real interpreter, real profile), and TAB on module names. */
class ModuleScoreTest {

    @TempDir
    Path home;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void ranksTheDemoFleetsSharedModulesAndShowsOneWithTheSamplesBehindItsFigures() throws Exception {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();

        ShellHarness.Run unprofiled = shell.oneShot("score", "--modules");
        assertThat(unprofiled.status()).as(unprofiled.err()).isZero();
        assertThat(unprofiled.out()).contains("common.base_agent", "common.model_zoo", "common.agent_registry", "common.demo_runtime")
                .containsPattern("common\\.base_agent\\s.*not profiled");

        assertThat(shell.oneShot("profile", "ServiceRegistry", "--runs", "1").status()).isZero();
        ShellHarness.Run ranked = shell.oneShot("score", "--modules", "--json");
        assertThat(ranked.status()).as(ranked.err()).isZero();
        JsonNode modules = json.readTree(ranked.out()).get("modules");
        JsonNode first = modules.get(0);
        assertThat(first.get("module").asString()).isEqualTo("common.base_agent");
        assertThat(first.get("dependents")).hasSize(10);
        assertThat(first.get("not_profiled")).hasSize(9);
        assertThat(first.get("deferrable_ms").asDouble()).isPositive();
        JsonNode zoo = first.get("imports").get(1);
        assertThat(zoo.get("statement").asString()).isEqualTo("from common import model_zoo");
        assertThat(zoo.get("verdict").asString()).isEqualTo("deferrable");
        assertThat(zoo.get("per_agent").get(0).get("agent").asString()).isEqualTo("mainpc/ServiceRegistry");
        assertThat(zoo.get("per_agent").get(0).get("baseline_version").asInt()).isEqualTo(1);
        assertThat(zoo.get("per_agent").get(0).get("runs").toString()).isEqualTo("[1]");
        // the demo's two text modules both import common.lexicon, in the agents that load both: a joint change's case
        JsonNode features = null;
        for (JsonNode m : modules) {
            if (m.get("module").asString().equals("common.text_features")) {
                features = m;
            }
        }
        assertThat(features).as("common.text_features is ranked").isNotNull();
        JsonNode lexicon = features.get("imports").get(0);
        assertThat(lexicon.get("statement").asString()).isEqualTo("from common import lexicon");
        assertThat(lexicon.get("loaded_anyway_by").get(0).get("module").asString()).isEqualTo("common.spelling");
        assertThat(lexicon.get("loaded_anyway_by").get(0).get("shared_dependents").asInt()).isEqualTo(2);
        assertThat(lexicon.get("together").toString()).isEqualTo("[\"common.text_features\",\"common.spelling\"]");
        assertThat(zoo.has("loaded_anyway_by")).as("nothing else imports model_zoo").isFalse();
        JsonNode registry = first.get("imports").get(0);
        assertThat(registry.get("verdict").asString()).isEqualTo("eager");
        assertThat(registry.get("reason").asString()).contains("uses `BaseAgent` while it loads (base class)")
                .contains("`BaseAgent.__init_subclass__()`");

        ShellHarness.Run one = shell.oneShot("score", "common/base_agent.py");
        assertThat(one.status()).as(one.err()).isZero();
        assertThat(one.out()).contains("common.base_agent (", "imported by 10 agents, 1 profiled")
                .containsPattern("18\\s+from common import model_zoo\\s+deferrable")
                .contains("samples: mainpc/ServiceRegistry baseline v1, run 1");
        assertThat(shell.oneShot("score", "common.base_agnt").err()).contains("Did you mean").contains("common.base_agent");
        ShellHarness.Run hashlib = shell.oneShot("score", "hashlib");
        assertThat(hashlib.status()).as(hashlib.err()).isZero();
        assertThat(hashlib.out()).contains("hashlib (not the fleet's own code)", "service_registry.py:3 import hashlib")
                .contains("loaded by: mainpc/ServiceRegistry");
        assertThat(shell.oneShot("score", "Nobody").err()).contains("no agent named Nobody");

        // a shared module changed after the profile: the baselines of the agents that load it no longer count
        java.nio.file.Files.setLastModifiedTime(home.resolve("demo/common/model_zoo.py"),
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(60)));
        JsonNode stale = json.readTree(shell.oneShot("score", "common.base_agent", "--json").out());
        assertThat(stale.get("deferrable_ms").isNull()).as(stale.toString()).isTrue();
        assertThat(stale.get("not_profiled")).hasSize(10);
    }

    @Test
    void tabCompletesModulesByDottedNameAndByPathWhereAgentsComplete() {
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("demo", "init").status()).isZero();
        try (ConfigurableApplicationContext context = shell.context()) {
            FleetCompleter completer = context.getBean(FleetCompleter.class);
            assertThat(tab(completer, "score common.b")).containsExactly("common.base_agent");
            assertThat(tab(completer, "score common/m")).containsExactly("common/model_zoo.py");
            assertThat(tab(completer, "score Serv")).containsExactly("ServiceRegistry");
            assertThat(tab(completer, "score ")).contains("TutorAgent", "common.agent_registry", "common/agent_registry.py")
                    .doesNotContain("main_pc_code/agents/tutor_agent.py");
        }
    }

    private static List<String> tab(FleetCompleter completer, String lineUpToCursor) {
        ParsedLine line = new DefaultParser().parse(lineUpToCursor, lineUpToCursor.length());
        List<Candidate> candidates = new ArrayList<>();
        completer.complete(null, line, candidates);
        return candidates.stream().map(Candidate::value).toList();
    }
}
