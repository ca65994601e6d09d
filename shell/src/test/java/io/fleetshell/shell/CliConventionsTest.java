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
        assertThat(bash.out()).contains("__complete --", "complete -o nosort -F _fleetshell_complete fleetshell");
        assertThat(shell.oneShot("completion", "zsh").out()).contains("#compdef fleetshell", "_describe");
        assertThat(shell.oneShot("completion", "fish").err()).contains("name the shell: completion bash or completion zsh");

        assertThat(shell.oneShot("__complete", "--", "inventory", "show", "Tr").out()).isEqualTo("TranslationService\t\n");
        assertThat(shell.oneShot("__complete", "--", "inventory", "").out().lines().map(l -> l.split("\t")[0]))
                .containsExactlyInAnyOrder("load", "list", "show", "env", "refresh", "unload");
        assertThat(shell.oneShot("--help").out()).doesNotContain("__complete");
    }

    /** Issue 17: numbers out of range named their option only as an internal error with a stack trace, or hung. */
    @Test
    void everyNumberOptionIsRangeCheckedWithItsName() {
        assertBadInput(shell.oneShot("health", "--timeout", "99999999h"), "--timeout 99999999h is out of range: give more than 0, up to 10m");
        assertBadInput(shell.oneShot("metrics", "scrape", "--timeout", "99999999h"), "--timeout 99999999h is out of range");
        assertBadInput(shell.oneShot("watch", "--once", "--interval", "99999999h"), "--interval 99999999h is out of range: give 0 to 1h");
        assertBadInput(shell.oneShot("agents", "start", "TutorAgent", "--timeout", "99999999999"),
                "--timeout 99999999999 is out of range: give a whole number up to 2147483647");
        assertBadInput(shell.oneShot("profile", "--runs", "many"), "--runs takes a whole number, not 'many'");
        assertBadInput(shell.oneShot("batch", "deploy", "--interval", "99999999h", "--dry-run"), "--interval 99999999h is out of range");
    }

    @Test
    void aPortTooLargeForAnyNumberIsOutOfRangeNotAParseError() throws Exception {
        Path config = fleetDir.resolve("huge_port.yaml");
        java.nio.file.Files.writeString(config, """
                agent_groups:
                  core:
                    Big:
                      script_path: main_pc_code/agents/tutor_agent.py
                      port: 99999999999999999999
                """);
        ShellHarness.Run load = shell.oneShot("inventory", "load", config.toString(), "--root", fleetDir.toString());
        assertThat(load.status()).isEqualTo(2);
        assertThat(load.err()).contains("huge_port.yaml:5", "port of Big is 99999999999999999999, outside 1-65535")
                .doesNotContain("For input string");
    }

    @Test
    void anInternalErrorIsOneLineAndItsStackTraceGoesToTheLogUnlessDebug() throws Exception {
        Path nested = fleetDir.resolve("nested.yaml");
        java.nio.file.Files.writeString(nested, "agent_groups: " + "[".repeat(20_000) + "\n");
        ShellHarness.Run run = shell.oneShot("inventory", "load", nested.toString());
        assertThat(run.status()).isNotZero();
        assertThat(run.err()).doesNotContain("\tat ").hasLineCount(1);
        if (run.err().contains("internal error")) {
            assertThat(run.err()).contains("fleetshell-errors.log; --debug prints it");
            assertThat(home.resolve("logs/fleetshell-errors.log")).content().contains("inventory load", "\tat ");
            ShellHarness.Run debug = shell.oneShot("inventory", "load", nested.toString(), "--debug");
            assertThat(debug.err()).contains("\tat ");
        }
    }

    /** Issue 17: a terminal escape sequence from a playbook (or an agent's label) is shown, never obeyed. */
    @Test
    void escapeSequencesFromAPlaybookArePrintedVisiblyNotObeyed() throws Exception {
        Path playbook = fleetDir.resolve("title.js");
        java.nio.file.Files.writeString(playbook, "// Sets no title.\nfleet.log('\\u001b]0;PWNED\\u0007 done');\n");
        ShellHarness.Run run = shell.oneShot("playbook", "run", playbook.toString());
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out() + run.err()).contains("^[]0;PWNED^G done").doesNotContain("\u001b]", "\u0007");
    }

    private static void assertBadInput(ShellHarness.Run run, String message) {
        assertThat(run.status()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains(message).doesNotContain("internal error", "\tat ");
    }
}
