package io.fleetshell.shell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 16 item 12 through the real shell: what score says of a never-profiled fleet and of an agent that does not parse. */
class ScoreFiguresTest {

    @TempDir
    Path home;
    @TempDir
    Path fleet;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void anUnparseableAgentHasAStructuredErrorAndAnUnprofiledOneSaysSo() throws IOException {
        Files.createDirectories(fleet.resolve("agents"));
        Files.writeString(fleet.resolve("agents/broken.py"), "import os\n\ndef handler(:\n    pass\n");
        Files.writeString(fleet.resolve("agents/plain.py"), "import os\nHOME = os.getcwd()\n");
        Path config = Files.writeString(fleet.resolve("startup.yaml"), """
                agent_groups:
                  core:
                    Broken: {script_path: agents/broken.py}
                    Plain: {script_path: agents/plain.py}
                """);
        ShellHarness shell = new ShellHarness(home);
        assertThat(shell.oneShot("inventory", "load", config.toString(), "--machine", "m").status()).isZero();

        ShellHarness.Run broken = shell.oneShot("score", "Broken", "--json");
        assertThat(broken.status()).as(broken.err()).isZero();
        JsonNode error = json.readTree(broken.out()).get("error");
        assertThat(error.get("kind").asString()).isEqualTo("syntax");
        assertThat(error.get("file").asString()).isEqualTo(fleet.resolve("agents/broken.py").toString());
        assertThat(error.get("line").asInt()).isEqualTo(3);
        assertThat(error.get("column").isNumber()).isTrue();
        assertThat(error.get("message").asString()).isNotBlank();

        JsonNode plain = json.readTree(shell.oneShot("score", "Plain", "--json").out());
        assertThat(plain.has("error")).isFalse();
        assertThat(plain.get("band").asString()).endsWith(", " + plain.get("risk").asString() + " risk");
        assertThat(plain.get("reasons").get(0).asString()).startsWith("not profiled: run `profile Plain`");

        ShellHarness.Run table = shell.oneShot("score");
        assertThat(table.out()).contains("not profiled").doesNotContain("nothing to gain");
    }
}
