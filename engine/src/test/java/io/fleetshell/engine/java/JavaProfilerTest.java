package io.fleetshell.engine.java;

import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.LoadSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link JavaProfiler} on the demo's KnowledgeIndexAgent with real JVMs: the agent, its build with every holder and
 * {@code ClassInitProbe} are compiled by the first profile and come from {@link JavaBuildCache} in the second, which
 * measures the same things.
 */
class JavaProfilerTest {

    @TempDir
    Path dir;

    @Test
    void aSecondProfileFindsItsThreeBuildsInTheCacheAndMeasuresTheSame() throws IOException {
        Path demo = new DemoFleet().install(dir.resolve("demo"), false).dir();
        InventoryLoader loader = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE);
        List<LoadedConfig> loaded = DemoFleet.configs(demo).stream().map(loader::load).toList();
        Agent agent = loaded.stream().flatMap(l -> l.agents().stream()).filter(a -> a.name().equals("KnowledgeIndexAgent")).findFirst().orElseThrow();
        Machine machine = loaded.stream().map(LoadedConfig::machine).filter(m -> m.name().equals(agent.machine())).findFirst().orElseThrow();
        Path cacheDir = dir.resolve("home/cache/javac");
        JavaProfiler profiler = new JavaProfiler(Duration.ofSeconds(60), new JavaAnalyzer(), JavaBuildCache.in(cacheDir));

        JavaSite site = new JavaSite(new LocalHost(machine.name(), dir), machine, "python3");
        byte[] source = Files.readAllBytes(agent.script().path());

        AgentProfile first = profiler.profile(agent, site, source, null, 1);
        List<Path> builds = entries(cacheDir);
        assertThat(builds).as("the agent, the agent with its holders, ClassInitProbe").hasSize(3);
        Instant before = Instant.now().minus(Duration.ofHours(2));
        for (Path build : builds) {
            Files.setLastModifiedTime(build, FileTime.from(before));
        }
        AgentProfile second = profiler.profile(agent, site, source, null, 1);

        assertThat(entries(cacheDir)).isEqualTo(builds);
        for (Path build : builds) {
            assertThat(Files.getLastModifiedTime(build).toInstant()).as("%s used again", build.getFileName()).isAfter(before.plusSeconds(60));
        }
        for (AgentProfile profile : List.of(first, second)) {
            assertThat(profile.samples()).singleElement().satisfies(sample -> {
                assertThat(sample.ok()).as(String.valueOf(sample.error())).isTrue();
                assertThat(sample.loadMillis()).isPositive();
                assertThat(sample.statements()).extracting(LoadSample.StatementCost::module).containsExactly("KnowledgeIndexAgent.INDEX", "KnowledgeIndexAgent.WORD");
            });
        }
    }

    private static List<Path> entries(Path cacheDir) throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.sorted().toList();
        }
    }
}
