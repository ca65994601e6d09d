package io.fleetshell.engine.java;

import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.pattern.PatternChain;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's Java agents, analyzed, rewritten by every Java pattern and compiled. The proof with real
 * JVMs runs through the shell, in {@code JavaAgentCommandsTest}.
 */
class DemoJavaAgentsTest {

    @TempDir
    static Path dir;
    static List<LoadedConfig> loaded;
    private final JavaAnalyzer analyzer = new JavaAnalyzer();

    @BeforeAll
    static void install() {
        Path demo = new DemoFleet().install(dir.resolve("demo"), false).dir();
        InventoryLoader loader = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE);
        loaded = DemoFleet.configs(demo).stream().map(loader::load).toList();
    }

    private static Agent agent(String name) {
        return loaded.stream().flatMap(l -> l.agents().stream()).filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }

    private static Machine machine(Agent agent) {
        return loaded.stream().map(LoadedConfig::machine).filter(m -> m.name().equals(agent.machine())).findFirst().orElseThrow();
    }

    @Test
    void knowledgeIndexHoldsItsIndexAndPatternLazilyButNotThePrimesReadAtClassInit() {
        JavaFacts facts = analyzer.analyze(agent("KnowledgeIndexAgent").script().path());
        assertThat(facts.mainClass()).isEqualTo("KnowledgeIndexAgent");
        assertThat(facts.deferrable()).extracting(HeavyInitializer::field).containsExactly("INDEX", "WORD");
        HeavyInitializer primes = facts.initializers().stream().filter(h -> "PRIMES".equals(h.field())).findFirst().orElseThrow();
        assertThat(primes.blockers()).singleElement().asString().contains("while the class initializes", "initializer of PRIME_COUNT");
        assertThat(facts.removableImports()).extracting(u -> u.imported().text()).containsExactly("java.util.concurrent.TimeUnit");
        assertThat(facts.unusedImports()).filteredOn(u -> u.keptBecause() != null).extracting(u -> u.imported().text())
                .containsExactly("java.util.zip.CRC32");
    }

    @Test
    void signatureServiceMemoizesItsDigestAndCorpusButNotThePatternItsConstructorReads() {
        JavaFacts facts = analyzer.analyze(agent("SignatureService").script().path());
        assertThat(facts.deferrable()).extracting(HeavyInitializer::field).containsExactly("digest", "compressedCorpus");
        assertThat(facts.removableImports()).extracting(u -> u.imported().text()).containsExactly("java.util.Base64");
        assertThat(facts.initializers()).filteredOn(h -> "payload".equals(h.field())).singleElement()
                .satisfies(h -> assertThat(h.blockers()).singleElement().asString().contains("while the object is built"));
    }

    @Test
    void routeMatcherHoldsRoutesAndShardsButNotWhatMainReadsNorItsStaticBlock() {
        JavaFacts facts = analyzer.analyze(agent("RouteMatcherAgent").script().path());
        assertThat(facts.deferrable()).extracting(HeavyInitializer::field).containsExactly("ROUTES", "SHARDS");
        assertThat(facts.initializers()).filteredOn(h -> "LOG_LEVEL".equals(h.field())).singleElement()
                .satisfies(h -> assertThat(h.blockers()).singleElement().asString().contains("on the way to healthy", "in main"));
        assertThat(facts.initializers()).filteredOn(h -> h.kind() == HeavyInitializer.Kind.STATIC_BLOCK).hasSize(1);
        assertThat(facts.removableImports()).extracting(u -> u.imported().text()).containsExactly("java.util.stream.Collectors");
    }

    @Test
    void aDeclaredEnvironmentDefaultExpandsToTheDefault() {
        // Regression: LOG_LEVEL: ${LOG_LEVEL:-INFO} expanded to itself, and RouteMatcherAgent refused to start.
        assertThat(machine(agent("RouteMatcherAgent")).environment()).containsEntry("LOG_LEVEL", "INFO");
    }

    @Test
    void everyDemoJavaAgentRewrittenByEveryPatternStillCompiles() throws Exception {
        for (String name : List.of("KnowledgeIndexAgent", "SignatureService", "RouteMatcherAgent")) {
            Agent agent = agent(name);
            byte[] source = Files.readAllBytes(agent.script().path());
            PatternChain.Result chained = new PatternChain<JavaFacts>(bytes -> analyzer.analyze(agent.script().path(), bytes), bytes -> Map.of(),
                    false).apply(name, agent.script().path(), source, analyzer.analyze(agent.script().path(), source), null, JavaPatterns.all(),
                    (pattern, input, rewrite) -> { });
            Rewrite all = chained.rewrite();
            assertThat(all.pattern().split("\\+")).as(name).hasSizeGreaterThanOrEqualTo(2);
            JavaBuild.Compiled compiled = JavaBuild.compile(agent, new LocalHost(agent.machine(), dir), machine(agent).fleetRoot(), all.after(), dir.resolve("build-" + name));
            assertThat(compiled.errors()).as(name + "\n" + new String(all.after(), StandardCharsets.UTF_8)).isEmpty();
            assertThat(compiled.ok()).isTrue();
            assertThat(Files.readAllBytes(agent.script().path())).as("the fleet's file is untouched").isEqualTo(source);
        }
    }

    @Test
    void aRewriteThatDoesNotCompileFailsTheProofWithJavacsLineAndColumn() throws Exception {
        Agent agent = agent("SignatureService");
        byte[] source = Files.readAllBytes(agent.script().path());
        byte[] broken = new String(source, StandardCharsets.UTF_8).replace("return digest;", "return digest.nope();")
                .getBytes(StandardCharsets.UTF_8);
        Rewrite rewrite = new Rewrite("test", agent.script().path(), source, broken, List.of());
        Proof proof = new JavaProver(JavaProver.Settings.DEFAULT, JavaBuildCache.in(dir.resolve("javac"))).prove(agent, new JavaSite(new LocalHost(agent.machine(), dir), machine(agent), "python3"), rewrite, analyzer.analyze(agent.script().path(), source));
        assertThat(proof.deployable()).isFalse();
        assertThat(proof.firstFailure()).hasValueSatisfying(c -> {
            assertThat(c.name()).isEqualTo("compiles");
            assertThat(c.detail()).containsPattern("SignatureService.java:\\d+:\\d+: cannot find symbol");
        });
    }

    @Test
    void aRewriteUsingAnApiNewerThanTheMachinesJava17FailsTheProofNamingTheReleaseAndTheSetting() throws Exception {
        LoadedConfig config = onJava17();
        Agent agent = config.agents().stream().filter(a -> a.name().equals("SignatureService")).findFirst().orElseThrow();
        byte[] source = Files.readAllBytes(agent.script().path());
        byte[] newer = usingJava21(source);
        assertThat(newer).isNotEqualTo(source);
        Rewrite rewrite = new Rewrite("test", agent.script().path(), source, newer, List.of());

        Proof proof = new JavaProver(JavaProver.Settings.DEFAULT, JavaBuildCache.in(dir.resolve("javac")))
                .prove(agent, new JavaSite(new LocalHost(agent.machine(), dir), config.machine(), "python3"), rewrite, analyzer.analyze(agent.script().path(), source));

        assertThat(proof.deployable()).isFalse();
        assertThat(proof.firstFailure()).hasValueSatisfying(c -> {
            assertThat(c.name()).isEqualTo("compiles");
            assertThat(c.detail()).containsPattern("the rewritten file does not compile: SignatureService.java:\\d+:\\d+: cannot find symbol")
                    .contains("javac built it for Java 17 (--release 17)", "of machine mainpc", "set machines.mainpc.java: in FLEETSHELL_HOME/settings.yaml");
            assertThat(c.evidence()).containsEntry("release", 17);
        });
    }

    /** batch deploy's proof of the file as written builds it for the machine's Java too, not for fleetshell's own JDK. */
    @Test
    void theWrittenFileIsCompiledForTheMachinesJava17() throws Exception {
        LoadedConfig config = onJava17();
        Agent agent = config.agents().stream().filter(a -> a.name().equals("SignatureService")).findFirst().orElseThrow();
        byte[] source = Files.readAllBytes(agent.script().path());
        byte[] newer = usingJava21(source);
        io.fleetshell.engine.inventory.Inventory inventory = new io.fleetshell.engine.inventory.Inventory(List.of(config.machine()), config.agents());
        Files.write(agent.script().path(), newer);
        try {
            Proof proof = new io.fleetshell.engine.rollout.WrittenFileProver(inventory, java.time.Duration.ofMinutes(2))
                    .prove(agent, new Rewrite("test", agent.script().path(), source, newer, List.of()), io.fleetshell.engine.optimize.ProofHints.NONE);

            assertThat(proof.firstFailure()).hasValueSatisfying(c -> {
                assertThat(c.name()).isEqualTo("compiles");
                assertThat(c.detail()).containsPattern("the written file does not compile: SignatureService.java:\\d+:\\d+: cannot find symbol")
                        .contains("javac built it for Java 17 (--release 17)");
                assertThat(c.evidence()).containsEntry("release", 17);
            });
        } finally {
            Files.write(agent.script().path(), source);
        }
    }

    /** The demo config of SignatureService's machine, whose java: is a Java 17 (the test is skipped where there is none). */
    private static LoadedConfig onJava17() {
        Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(java17), "a Java 17 at " + java17);
        InventoryLoader loader = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE,
                Map.of("mainpc", new io.fleetshell.engine.inventory.MachineOverride(Map.of(), Map.of(), null, null, null, java17.toString())));
        return DemoFleet.configs(dir.resolve("demo")).stream().map(loader::load)
                .filter(l -> l.agents().stream().anyMatch(a -> a.name().equals("SignatureService"))).findFirst().orElseThrow();
    }

    /** SignatureService's source calling List.getFirst, a Java 21 API. */
    private static byte[] usingJava21(byte[] source) {
        return new String(source, StandardCharsets.UTF_8).replace("return digest;", "return java.util.List.of(digest).getFirst();")
                .getBytes(StandardCharsets.UTF_8);
    }
}
