package io.fleetshell.engine.java;

import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.MachineOverride;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.LoadSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link JavaProfiler} on the demo's KnowledgeIndexAgent with real JVMs: the agent, its build with every holder and
 * {@code ClassInitProbe} are compiled by the first profile and come from {@link JavaBuildCache} in the second, which
 * measures the same things; on a machine whose {@code java} is a real Java 17 the builds are for release 17, never the
 * cache's release-25 builds, and a feature newer than 17 is javac's error naming the release and the setting.
 */
class JavaProfilerTest {

    /** A real Java 17 beside fleetshell's JDK (this machine has it; the release tests need one). */
    private static final Path JAVA_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

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

    @Test
    void aJava17MachineIsProfiledWithClassesBuiltForRelease17NotTheCachedRelease25Ones() throws IOException {
        assumeTrue(Files.isExecutable(JAVA_17), "a Java 17 at " + JAVA_17);
        Path demo = new DemoFleet().install(dir.resolve("demo"), false).dir();
        Path cacheDir = dir.resolve("home/cache/javac");
        JavaProfiler profiler = new JavaProfiler(Duration.ofSeconds(60), new JavaAnalyzer(), JavaBuildCache.in(cacheDir));

        AgentProfile on25 = profile(profiler, demo, null, null);
        List<Path> builds25 = entries(cacheDir);
        AgentProfile on17 = profile(profiler, demo, JAVA_17.toString(), null);

        assertThat(entries(cacheDir)).as("the agent, its holders and ClassInitProbe again, for release 17").hasSize(6).containsAll(builds25);
        assertThat(on25.samples()).singleElement().satisfies(sample -> assertThat(sample.python()).isEqualTo("java " + Runtime.version().feature()));
        assertThat(on17.samples()).singleElement().satisfies(sample -> {
            assertThat(sample.ok()).as(String.valueOf(sample.error())).isTrue();
            assertThat(sample.python()).isEqualTo("java 17");
            assertThat(sample.statements()).as("ClassInitProbe ran on Java 17")
                    .extracting(LoadSample.StatementCost::module).containsExactly("KnowledgeIndexAgent.INDEX", "KnowledgeIndexAgent.WORD");
        });
    }

    @Test
    void aFeatureNewerThanTheMachinesJavaIsJavacsErrorNamingTheReleaseAndTheSetting() throws IOException {
        assumeTrue(Files.isExecutable(JAVA_17), "a Java 17 at " + JAVA_17);
        Path demo = new DemoFleet().install(dir.resolve("demo"), false).dir();
        JavaProfiler profiler = new JavaProfiler(Duration.ofSeconds(60), new JavaAnalyzer(), JavaBuildCache.in(dir.resolve("home/cache/javac")));
        String main = "public static void main(String[] args) throws IOException {";
        Path file = demo.resolve("main_pc_code/jvm/KnowledgeIndexAgent.java");
        String source = Files.readString(file);
        assertThat(source).contains(main);
        // a pattern in a switch: Java 21
        int line = (int) source.substring(0, source.indexOf(main)).chars().filter(c -> c == '\n').count() + 1;
        String newer = source.replace(main, main + " Object first = args; switch (first) { case String[] all -> { } default -> { } }");

        AgentProfile profile = profile(profiler, demo, JAVA_17.toString(), newer.getBytes(StandardCharsets.UTF_8));

        assertThat(profile.samples()).singleElement().satisfies(sample -> {
            assertThat(sample.ok()).isFalse();
            assertThat(sample.python()).isEqualTo("java 17");
            assertThat(sample.error().type()).isEqualTo("CompileError");
            assertThat(sample.error().message()).contains("KnowledgeIndexAgent.java:" + line + ":", "javac built it for Java 17 (--release 17)",
                    "java '" + JAVA_17 + "' of machine mainpc", "set machines.mainpc.java: in FLEETSHELL_HOME/settings.yaml", "nothing was changed");
        });
    }

    /** KnowledgeIndexAgent profiled once, its machine's {@code java:} set to {@code java} (null: fleetshell's JDK). */
    private static AgentProfile profile(JavaProfiler profiler, Path demo, String java, byte[] source) throws IOException {
        InventoryLoader loader = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE,
                java == null ? Map.of() : Map.of("mainpc", new MachineOverride(Map.of(), Map.of(), null, null, null, java)));
        List<LoadedConfig> loaded = DemoFleet.configs(demo).stream().map(loader::load).toList();
        Agent agent = loaded.stream().flatMap(l -> l.agents().stream()).filter(a -> a.name().equals("KnowledgeIndexAgent")).findFirst().orElseThrow();
        Machine machine = loaded.stream().map(LoadedConfig::machine).filter(m -> m.name().equals(agent.machine())).findFirst().orElseThrow();
        JavaSite site = new JavaSite(new LocalHost(machine.name(), demo), machine, "python3");
        return profiler.profile(agent, site, source != null ? source : Files.readAllBytes(agent.script().path()), null, 1);
    }

    private static List<Path> entries(Path cacheDir) throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.sorted().toList();
        }
    }
}
