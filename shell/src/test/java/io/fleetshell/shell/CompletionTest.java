package io.fleetshell.shell;

import io.fleetshell.shell.cli.FleetCompleter;
import org.jline.reader.Candidate;
import org.jline.reader.ParsedLine;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What TAB proposes, through JLine's own line parser as in the REPL. */
class CompletionTest {

    @TempDir
    Path home;
    @TempDir
    Path fleetDir;

    private ConfigurableApplicationContext context;
    private FleetCompleter completer;

    @BeforeEach
    void setUp() {
        ShellHarness shell = new ShellHarness(home);
        TestFleet fleet = new TestFleet(fleetDir);
        assertThat(shell.oneShot("inventory", "load", fleet.mainpc().toString(), fleet.pc2().toString()).status()).isZero();
        context = shell.context();
        completer = context.getBean(FleetCompleter.class);
    }

    @AfterEach
    void tearDown() {
        context.close();
    }

    private List<String> tab(String lineUpToCursor) {
        ParsedLine line = new DefaultParser().parse(lineUpToCursor, lineUpToCursor.length());
        List<Candidate> candidates = new ArrayList<>();
        completer.complete(null, line, candidates);
        return candidates.stream().map(Candidate::value).toList();
    }

    @Test
    void completesCommandsAndSubCommands() {
        assertThat(tab("inv")).containsExactly("inventory");
        assertThat(tab("inventory ")).containsExactlyInAnyOrder("load", "list", "show", "env", "refresh", "unload");
        assertThat(tab("inventory l")).containsExactlyInAnyOrder("load", "list");
        assertThat(tab("hi")).containsExactly("history");
    }

    @Test
    void completesAgentNamesQualifyingThoseOnTwoMachines() {
        assertThat(tab("inventory show ")).contains("ServiceRegistry", "MemoryOrchestrator", "TranslationService",
                "mainpc/TutorAgent", "pc2/TutorAgent");
        assertThat(tab("inventory show Tr")).containsExactly("TranslationService");
        assertThat(tab("inventory env Tr")).containsExactly("TranslationService");
        assertThat(tab("history --agent Mem")).containsExactly("MemoryOrchestrator");
        assertThat(tab("agents ")).containsExactlyInAnyOrder("start", "stop", "restart", "status");
        assertThat(tab("agents restart Tr")).containsExactly("TranslationService");
        assertThat(tab("agents stop ServiceRegistry Mem")).containsExactly("MemoryOrchestrator");
        assertThat(tab("agents status --machine p")).containsExactly("pc2");
        assertThat(tab("baseline compare pc2/")).containsExactly("pc2/TutorAgent");
    }

    @Test
    void completesOptionsNotYetGivenAndOptionValues() {
        assertThat(tab("inventory list --")).containsExactlyInAnyOrder("--machine", "--json", "--output");
        assertThat(tab("inventory list --json --")).containsExactlyInAnyOrder("--machine", "--output");
        assertThat(tab("inventory list -o ")).containsExactly("wide", "json", "yaml", "name");
        assertThat(tab("inventory list --machine ")).containsExactlyInAnyOrder("mainpc", "pc2");
        assertThat(tab("inventory list --machine p")).containsExactly("pc2");
    }

    @Test
    void completesOptimizeAgentsAndPatterns() {
        assertThat(tab("optimize Tr")).containsExactly("TranslationService");
        // Python patterns, then the Java ones (completion does not look at the agent's language yet)
        assertThat(tab("optimize TranslationService --pattern ")).containsExactly("dependency_reduction", "lazy_loading",
                "async_initialization", "cache_optimization", "java_unused_imports", "java_lazy_holder", "java_memoize_field");
        assertThat(tab("optimize KnowledgeIndexAgent --pattern java_l")).containsExactly("java_lazy_holder");
        assertThat(tab("optimize TranslationService --pattern l")).containsExactly("lazy_loading");
    }

    @Test
    void completesPathsForFiles() {
        String dir = fleetDir + "/main_pc_code/con";
        assertThat(tab("inventory load " + dir)).containsExactly(fleetDir + "/main_pc_code/config/");
        assertThat(tab("inventory load " + fleetDir + "/main_pc_code/config/")).containsExactly(
                fleetDir + "/main_pc_code/config/startup_config.yaml");
    }
}
