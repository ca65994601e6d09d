package io.fleetshell.shell;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The habits of command-line tools: --version, --help, -o formats, completion scripts, no stack traces. */
class CliConventionsTest {

    @TempDir
    Path home;
    @TempDir
    Path fleetDir;

    private ShellHarness shell;

    @BeforeEach
    void setUp() {
        shell = new ShellHarness(home);
        TestFleet fleet = new TestFleet(fleetDir);
        assertThat(shell.oneShot("inventory", "load", fleet.mainpc().toString(), fleet.pc2().toString()).status()).isZero();
    }

    @Test
    void versionAndHelpAsFlags() {
        ShellHarness.Run version = shell.oneShot("--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("fleetshell ");
        ShellHarness.Run help = shell.oneShot("--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("inventory list", "-o json|yaml|wide|name");
        ShellHarness.Run oneCommand = shell.oneShot("-h", "inventory", "list");
        assertThat(oneCommand.out()).startsWith("Usage: inventory list").contains("-o, --output FORMAT");
    }

    @Test
    void outputFormatsOfAListing() {
        ShellHarness.Run yaml = shell.oneShot("inventory", "list", "-o", "yaml");
        assertThat(yaml.status()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, List<Map<String, Object>>> parsed = (Map<String, List<Map<String, Object>>>)
                new Load(LoadSettings.builder().build()).loadFromString(yaml.out());
        assertThat(parsed.get("agents")).extracting(a -> a.get("name")).contains("ServiceRegistry", "TutorAgent");
        ShellHarness.Run names = shell.oneShot("inventory", "list", "-o", "name");
        assertThat(names.out().lines()).contains("mainpc/ServiceRegistry", "pc2/TutorAgent");
        ShellHarness.Run json = shell.oneShot("inventory", "list", "--output=json");
        assertThat(json.out()).isEqualTo(shell.oneShot("inventory", "list", "--json").out());
        ShellHarness.Run bad = shell.oneShot("inventory", "list", "-o", "xml");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("-o xml is not an output format; give json, yaml, wide or name");
        ShellHarness.Run noData = shell.oneShot("version", "-o", "json");
        assertThat(noData.status()).isEqualTo(2);
        assertThat(noData.err()).contains("version prints no data for -o json");
    }

    @Test
    void theCompletionScriptAsksTheInternalCompleteCommand() {
        ShellHarness.Run bash = shell.oneShot("completion", "bash");
        assertThat(bash.status()).isZero();
        assertThat(bash.out()).contains("__complete --", "complete -F _fleetshell_complete fleetshell");
        assertThat(shell.oneShot("completion", "zsh").out()).contains("#compdef fleetshell", "_describe");
        assertThat(shell.oneShot("completion", "fish").err()).contains("name the shell: completion bash or completion zsh");

        assertThat(shell.oneShot("__complete", "--", "inventory", "show", "Tr").out()).isEqualTo("TranslationService\t\n");
        assertThat(shell.oneShot("__complete", "--", "inventory", "").out().lines().map(l -> l.split("\t")[0]))
                .containsExactlyInAnyOrder("load", "list", "show", "refresh", "unload");
        assertThat(shell.oneShot("--help").out()).doesNotContain("__complete");
    }
}
