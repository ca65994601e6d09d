package io.fleetshell.engine.demo;

import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Notice;
import io.fleetshell.engine.inventory.ScriptResolution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoFleetTest {

    private static final Path SOURCES = Path.of("src/main/resources/io/fleetshell/demo");

    @TempDir
    Path dir;

    @Test
    void theIndexListsExactlyTheFilesOfTheDemo() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            List<String> onDisk = files.filter(Files::isRegularFile)
                    .map(f -> SOURCES.relativize(f).toString())
                    .filter(f -> !f.equals("fleet.index") && !f.contains("__pycache__"))
                    .sorted().toList();
            assertThat(DemoFleet.index()).containsExactlyElementsOf(onDisk);
        }
    }

    @Test
    void installsOnceAndLeavesAnInstalledDemoAlone() throws IOException {
        Path target = dir.resolve("demo");
        DemoFleet.Installed first = new DemoFleet().install(target, false);
        assertThat(first.copied()).isEqualTo(DemoFleet.index().size());
        assertThat(target.resolve("main_pc_code/agents/tutor_agent.py")).isRegularFile();

        Files.writeString(target.resolve("main_pc_code/agents/tutor_agent.py"), "# edited by the user\n");
        assertThat(new DemoFleet().install(target, false).copied()).isZero();
        assertThat(Files.readString(target.resolve("main_pc_code/agents/tutor_agent.py"))).isEqualTo("# edited by the user\n");

        assertThat(new DemoFleet().install(target, true).copied()).isEqualTo(first.copied());
        assertThat(Files.readString(target.resolve("main_pc_code/agents/tutor_agent.py"))).doesNotContain("edited by the user");
    }

    @Test
    void refusesADirectoryThatHoldsSomethingElse() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> new DemoFleet().install(dir, false))
                .isInstanceOf(FleetshellException.class)
                .hasMessageContaining("is not empty and holds no demo fleet");
        assertThat(Files.readString(dir.resolve("notes.txt"))).isEqualTo("mine");
    }

    @Test
    void theDemoConfigsLoadAsTwoMachinesWithTheirDocumentedOddities() {
        Path target = new DemoFleet().install(dir.resolve("demo"), false).dir();
        InventoryLoader loader = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE);
        List<LoadedConfig> loaded = DemoFleet.configs(target).stream().map(loader::load).toList();

        assertThat(loaded).extracting(l -> l.machine().name()).containsExactly("mainpc", "pc2");
        List<Agent> agents = loaded.stream().flatMap(l -> l.agents().stream()).toList();
        assertThat(agents).hasSize(17);
        assertThat(agents).filteredOn(a -> a.language() == io.fleetshell.engine.inventory.Language.JAVA).extracting(Agent::name)
                .containsExactly("KnowledgeIndexAgent", "SignatureService", "RouteMatcherAgent");
        assertThat(agents).filteredOn(Agent::infrastructure).extracting(Agent::name)
                .containsExactlyInAnyOrder("ObservabilityHub", "ServiceRegistry");
        assertThat(agents).filteredOn(a -> a.script().status() == ScriptResolution.Status.FOUND_ELSEWHERE)
                .singleElement().satisfies(a -> {
                    assertThat(a.name()).isEqualTo("CacheManager");
                    assertThat(a.script().path()).isEqualTo(target.resolve("pc2_code/agents/ForPC2/cache_manager.py"));
                });
        assertThat(agents).allMatch(a -> a.script().found());
        assertThat(loaded.get(1).notices()).extracting(Notice::message)
                .contains("RedisCache is not an agent (no script_path): skipped");
        assertThat(agents).extracting(Agent::port).doesNotHaveDuplicates();
    }

    @Test
    void everyAgentCompilesButTheOneWithTheSyntaxError() throws Exception {
        Path target = new DemoFleet().install(dir.resolve("demo"), false).dir();
        Path checker = dir.resolve("check.py");
        Files.writeString(checker, """
                import ast, sys
                for path in sys.argv[1:]:
                    try:
                        ast.parse(open(path, encoding="utf-8").read(), path)
                        print(path, "ok")
                    except SyntaxError as e:
                        print(path, "SyntaxError", e.lineno)
                """);
        List<String> command = new java.util.ArrayList<>(List.of("python3", checker.toString()));
        DemoFleet.index().stream().filter(f -> f.endsWith(".py")).map(f -> target.resolve(f).toString()).forEach(command::add);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output.lines().filter(l -> !l.endsWith(" ok")))
                .containsExactly(target.resolve("main_pc_code/agents/learning_adjuster_agent.py") + " SyntaxError 23");
    }
}
