package io.fleetshell.engine.java;

import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.testing.Ports;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The compile path of Java agents ({@link JavaBuild} through {@link JavaBuildCache}) on a small real fleet: one agent
 * whose class path holds a compiled library. The classes that come out are run in a real JVM.
 */
class JavaBuildCacheTest {

    @TempDir
    Path root;
    private Path cacheDir;
    private Agent agent;
    private int work;

    private static final String HELLO = """
            public class Hello {
                public static void main(String[] args) {
                    System.out.println(%s + util.Greeting.WHO);
                }
            }
            """;

    @BeforeEach
    void fleet() throws IOException {
        cacheDir = root.resolve("home/cache/javac");
        library("world");
        write("agents/Hello.java", new String(hello("\"hello \""), StandardCharsets.UTF_8));
        write("config/startup_config.yaml", """
                agent_groups:
                  jvm:
                    Hello:
                      script_path: agents/Hello.java
                      language: java
                      classpath: [lib]
                      port: %d
                """.formatted(Ports.free()));
        LoadedConfig loaded = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE)
                .load(new ConfigSource(root.resolve("config/startup_config.yaml"), "main", root));
        agent = loaded.agents().getFirst();
    }

    private static byte[] hello(String greeting) {
        return HELLO.formatted(greeting).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code lib/util/Greeting.class}, compiled from a source outside the class path. */
    private void library(String who) throws IOException {
        Path src = write("libsrc/util/Greeting.java", "package util;\npublic class Greeting {\n    public static final String WHO = new String(\"%s\");\n}\n"
                .formatted(who));
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", root.resolve("lib").toString(), src.toString())).isZero();
    }

    private Path write(String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        return Files.writeString(path, text);
    }

    private JavaBuild.Compiled compile(JavaBuildCache cache, byte[] source) {
        return cache.compile(agent, new LocalHost("local", root), root, source, root.resolve("work/" + work++), JavaSite.RELEASE);
    }

    private List<Path> entries() throws IOException {
        if (!Files.isDirectory(cacheDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.sorted().toList();
        }
    }

    private String run(JavaBuild.Compiled compiled) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return ProcessRun.of(java, "-cp", compiled.classpathString(), "Hello").timeout(Duration.ofSeconds(60)).mergingErrors().run()
                .stdout().strip();
    }

    @Test
    void aSecondBuildOfTheSameSourcesComesFromTheCacheAndRuns() throws Exception {
        JavaBuildCache cache = JavaBuildCache.in(cacheDir);
        JavaBuild.Compiled first = compile(cache, hello("\"hello \""));
        assertThat(first.ok()).as(first.errors().toString()).isTrue();
        assertThat(first.cached()).isFalse();
        assertThat(entries()).singleElement().satisfies(e -> assertThat(e.getFileName().toString()).matches("[0-9a-f]{64}"));
        // a file only the cache entry has: the second build's classes are the entry's, not javac's
        Files.writeString(entries().getFirst().resolve("planted.txt"), "from the cache");

        JavaBuild.Compiled second = compile(cache, hello("\"hello \""));
        assertThat(second.ok()).isTrue();
        assertThat(second.cached()).isTrue();
        assertThat(second.classes()).isNotEqualTo(first.classes());
        assertThat(second.classes().resolve("planted.txt")).hasContent("from the cache");
        assertThat(Files.readAllBytes(second.classes().resolve("Hello.class"))).isEqualTo(Files.readAllBytes(first.classes().resolve("Hello.class")));
        // the library is read on the agent's machine (here this computer) into the build's own directory
        assertThat(second.classpath()).hasSize(2).first().isEqualTo(second.classes());
        assertThat(second.classpath().get(1)).startsWith(second.classes().getParent());
        assertThat(second.classpath().get(1).resolve("util/Greeting.class")).hasSameBinaryContentAs(root.resolve("lib/util/Greeting.class"));
        assertThat(second.classes().getParent().resolve("src/Hello.java")).as("the source copy a test_command names").exists();
        assertThat(run(second)).isEqualTo("hello world");
        assertThat(entries()).hasSize(1);

        // the cache is safe to delete: the next build compiles again
        io.fleetshell.engine.process.Leftovers.delete(cacheDir);
        JavaBuild.Compiled third = compile(cache, hello("\"hello \""));
        assertThat(third.cached()).isFalse();
        assertThat(run(third)).isEqualTo("hello world");
    }

    @Test
    void aChangedSourceOrLibraryNeverMeetsAStaleEntry() throws Exception {
        JavaBuildCache cache = JavaBuildCache.in(cacheDir);
        assertThat(compile(cache, hello("\"hello \"")).cached()).isFalse();

        JavaBuild.Compiled changed = compile(cache, hello("\"goodbye \""));
        assertThat(changed.cached()).isFalse();
        assertThat(run(changed)).isEqualTo("goodbye world");
        assertThat(entries()).hasSize(2);

        // same agent source, another library: WHO is not a compile-time constant, but the key cannot know that
        library("moon");
        JavaBuild.Compiled relinked = compile(cache, hello("\"hello \""));
        assertThat(relinked.cached()).isFalse();
        assertThat(run(relinked)).isEqualTo("hello moon");
        assertThat(entries()).hasSize(3);

        assertThat(compile(cache, hello("\"goodbye \"")).cached()).as("the library changed since this one was kept").isFalse();
        assertThat(compile(cache, hello("\"hello \"")).cached()).isTrue();
    }

    @Test
    void theReleaseIsPartOfTheKeySoAnOlderMachineNeverGetsClassesOfANewerOne() throws Exception {
        JavaBuildCache cache = JavaBuildCache.in(cacheDir);
        JavaBuild.Compiled current = cache.compile(agent, new LocalHost("local", root), root, hello("\"hello \""), root.resolve("work/current"), JavaSite.RELEASE);
        JavaBuild.Compiled older = cache.compile(agent, new LocalHost("local", root), root, hello("\"hello \""), root.resolve("work/older"), 17);
        JavaBuild.Compiled again = cache.compile(agent, new LocalHost("local", root), root, hello("\"hello \""), root.resolve("work/again"), 17);

        assertThat(older.ok()).as(older.errors().toString()).isTrue();
        assertThat(older.cached()).as("the release-%d build is not the release-17 one", JavaSite.RELEASE).isFalse();
        assertThat(again.cached()).isTrue();
        assertThat(entries()).hasSize(2);
        assertThat(majorVersion(current.classes().resolve("Hello.class"))).isEqualTo(44 + JavaSite.RELEASE);
        assertThat(majorVersion(again.classes().resolve("Hello.class"))).as("class file version 61: Java 17").isEqualTo(61);
        assertThat(majorVersion(cache.classInitProbe(root.resolve("probe17"), 17).resolve("ClassInitProbe.class"))).isEqualTo(61);
        assertThat(majorVersion(cache.classInitProbe(root.resolve("probe11"), JavaSite.OLDEST).resolve("ClassInitProbe.class")))
                .as("fleetshell's shipped class compiles for the oldest release it builds for").isEqualTo(44 + JavaSite.OLDEST);
    }

    /** A class file's major version (bytes 6-7): 44 + its release. */
    private static int majorVersion(Path classFile) throws IOException {
        byte[] bytes = Files.readAllBytes(classFile);
        return ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
    }

    @Test
    void aCompileErrorIsReportedWithFileLineAndColumnAndNotKept() throws Exception {
        JavaBuildCache cache = JavaBuildCache.in(cacheDir);
        byte[] broken = hello("\"hello \" + nope");
        for (int attempt = 1; attempt <= 2; attempt++) {
            JavaBuild.Compiled compiled = compile(cache, broken);
            assertThat(compiled.ok()).isFalse();
            assertThat(compiled.cached()).isFalse();
            assertThat(compiled.errors()).singleElement().asString().matches("Hello\\.java:3:\\d+: cannot find symbol(?s).*nope.*");
        }
        assertThat(entries()).isEmpty();
    }

    @Test
    void classInitProbeIsCompiledOncePerCache() throws Exception {
        JavaBuildCache cache = JavaBuildCache.in(cacheDir);
        Path first = cache.classInitProbe(root.resolve("probe1"), JavaSite.RELEASE);
        assertThat(first.resolve("ClassInitProbe.class")).exists();
        assertThat(entries()).hasSize(1);
        Files.writeString(entries().getFirst().resolve("planted.txt"), "from the cache");

        Path second = cache.classInitProbe(root.resolve("probe2"), JavaSite.RELEASE);
        assertThat(second.resolve("planted.txt")).exists();
        assertThat(second.resolve("ClassInitProbe.class")).exists();
        assertThat(entries()).hasSize(1);
    }

    @Test
    void theLeastRecentlyUsedEntriesGoOnceTheCacheHoldsMoreThanItsLimit() throws Exception {
        compile(JavaBuildCache.in(cacheDir), hello("\"a \""));
        long entryBytes;
        try (Stream<Path> files = Files.walk(entries().getFirst())) {
            entryBytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        // room for two entries of this size, not three
        JavaBuildCache cache = new JavaBuildCache(cacheDir, entryBytes * 5 / 2);
        compile(cache, hello("\"b \""));
        List<Path> kept = entries();
        assertThat(kept).hasSize(2);
        Path entryA = kept.stream().filter(e -> contains(e, "a ")).findFirst().orElseThrow();
        Path entryB = kept.stream().filter(e -> !e.equals(entryA)).findFirst().orElseThrow();
        Files.setLastModifiedTime(entryA, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Files.setLastModifiedTime(entryB, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        // a staging directory of a shell that is gone (no pid is that large on Linux)
        Path deadStage = Files.createDirectories(cacheDir.resolve(".stage-p999999999-1"));

        assertThat(compile(cache, hello("\"a \"")).cached()).as("a hit makes A the most recently used").isTrue();
        compile(cache, hello("\"c \""));

        assertThat(entries()).hasSize(2).contains(entryA).doesNotContain(entryB);
        assertThat(deadStage).doesNotExist();
    }

    private static boolean contains(Path entry, String text) {
        try {
            return new String(Files.readAllBytes(entry.resolve("Hello.class")), StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
