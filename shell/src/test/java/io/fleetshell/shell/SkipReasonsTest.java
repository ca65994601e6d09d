package io.fleetshell.shell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16 item 10: an agent a plan leaves out is skipped with a one-line reason (once 2,500 characters on one line);
 * every reason behind it stays in {@code --json} as {@code detail}.
 */
class SkipReasonsTest {

    @TempDir
    Path home;
    @TempDir
    Path fleet;

    @Test
    void aSkippedAgentHasAOneLineReasonAndItsDetailInJson() throws IOException {
        Files.createDirectories(fleet.resolve("agents"));
        Files.writeString(fleet.resolve("agents/eager.py"), """
                import os
                import json
                import csv
                CWD = os.getcwd()
                DUMP = json.dumps
                DIALECT = csv.excel
                """);
        Path config = Files.writeString(fleet.resolve("startup.yaml"), "agent_groups:\n  core:\n    Eager: {script_path: agents/eager.py}\n");
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("inventory", "load", config.toString(), "--machine", "m").status()).isZero();

        ShellHarness.Run text = shell.oneShot("batch", "deploy", "--agents", "Eager", "--dry-run");
        String line = text.out().lines().filter(l -> l.startsWith("skipped m/Eager")).findFirst().orElseThrow(() -> new AssertionError(text.out() + text.err()));
        // Each pattern's headline, none of the per-import reasons (which named line 4 and made the line 2,500 characters long).
        assertThat(line).startsWith("skipped m/Eager: dependency_reduction: nothing to remove: every module-level import is used or kept on purpose; ")
                .contains("; lazy_loading: nothing to defer: every module-level import must stay as it is")
                .doesNotContain("line 4");

        JsonNode skipped = JsonMapper.builder().build().readTree(shell.oneShot("batch", "deploy", "--agents", "Eager", "--dry-run", "--json").out())
                .get("skipped").get(0);
        assertThat(skipped.get("reason").asString()).isEqualTo(line.substring("skipped m/Eager: ".length()));
        assertThat(skipped.get("detail").size()).isGreaterThan(2);
        assertThat(skipped.get("detail").valueStream().map(JsonNode::asString).toList())
                .anySatisfy(d -> assertThat(d).startsWith("lazy_loading: ").contains("line 4"));
    }
}
