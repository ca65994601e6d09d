package io.fleetshell.shell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The REPL over a real JLine terminal: first start, commands, errors, persistent history. */
class InteractiveTest {

    @TempDir
    Path home;

    @Test
    void theFirstStartShowsTheDemoFleetAndLaterStartsSummarizeIt() throws Exception {
        ShellHarness shell = new ShellHarness(home);
        ShellHarness.Run first = shell.interactive("inventory show NoSuchAgent\ninventory show pc2/CacheManager\nquit\n");
        assertThat(first.status()).isZero();
        assertThat(first.out())
                .contains("First start with an empty history: installing the bundled demo fleet")
                .contains("Demo fleet copied to " + home.resolve("demo"))
                .containsPattern("mainpc\\s+ServiceRegistry")
                .containsPattern("pc2\\s+TranslationService")
                .contains("agents on 2 machines.")
                .contains("error: no agent named NoSuchAgent")
                .contains("pc2_code/agents/ForPC2/cache_manager.py");

        assertThat(Files.readString(home.resolve("shell_history"))).contains("inventory show NoSuchAgent");

        ShellHarness.Run second = shell.interactive("history --limit 1\nexit\n");
        assertThat(second.out())
                .doesNotContain("First start")
                .containsPattern("Fleet: \\d+ agents on 2 machines")
                .contains("demo init");
    }
}
