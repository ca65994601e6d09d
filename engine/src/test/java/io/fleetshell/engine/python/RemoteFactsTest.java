package io.fleetshell.engine.python;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.SshHost;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.ImportFact;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.testing.Sshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The facts helper and the interpreter's resolution on a machine reached over ssh (a real sshd): the helper travels
 * on stdin, the files analysed are the host's, and a missing or too old interpreter there is an error naming the
 * machine, the interpreter and the setting to fix.
 */
class RemoteFactsTest {

    @TempDir
    static Path dir;
    static Sshd sshd;
    static FleetHome home;
    static Path root;

    @BeforeAll
    static void start() throws Exception {
        sshd = Sshd.start(dir.resolve("sshd"), "facts-host");
        home = new FleetHome(dir.resolve("home"));
        root = Files.createDirectories(dir.resolve("remote root"));
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    static Host host(String python) {
        return new SshHost("pc2", sshd.access(), python, home.sshSockets());
    }

    @Test
    void theHelperAnalysesTheHostsFilesWithTheInterpreterResolvedThere() throws Exception {
        Path agent = Files.writeString(root.resolve("agent's file.py"), "import json\n\ndef handle(x):\n    return json.dumps(x)\n");
        Machine machine = new Machine("pc2", root, "python3", Map.of(), Map.of());
        Host host = host("python3");

        String python = new Interpreters().of(host, machine);
        List<FileFacts> facts = new PythonFacts().analyze(host, python, List.of(agent), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, List.of(),
                Duration.ofSeconds(60));

        assertThat(Path.of(python)).isAbsolute();
        assertThat(facts).singleElement().satisfies(f -> {
            assertThat(f.path()).isEqualTo(agent.toString());
            assertThat(f.imports()).extracting(ImportFact::bound).containsExactly("json");
        });
        assertThat(new PythonFacts().version(host, python)).matches("3\\.\\d+\\.\\d+.*");
    }

    @Test
    void aMissingInterpreterOnTheHostNamesMachineInterpreterAndSetting() throws Exception {
        Path agent = Files.writeString(root.resolve("missing.py"), "import os\n");
        String python = "/opt/no-such-python3";
        Machine machine = new Machine("pc2", root, python, Map.of(), Map.of());
        Host host = host("python3");

        assertThat(new Interpreters().of(host, machine)).as("the name stays for the analysis to report").isEqualTo(python);
        assertThatThrownBy(() -> new PythonFacts().analyze(host, python, List.of(agent), Set.of(), List.of(), Duration.ofSeconds(60)))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("'/opt/no-such-python3' on machine pc2 (")
                .hasMessageContaining("Set machines.pc2.python in settings.yaml");
    }

    @Test
    void aTooOldInterpreterOnTheHostNamesMachineInterpreterAndSetting() throws Exception {
        Path python37 = Path.of(System.getProperty("user.home"), ".pyenv/versions/3.7.16/bin/python3.7");
        assumeTrue(Files.isExecutable(python37), "no Python 3.7 at " + python37);
        Path agent = Files.writeString(root.resolve("old.py"), "import os\n");

        assertThatThrownBy(() -> new PythonFacts().analyze(host("python3"), python37.toString(), List.of(agent), Set.of(), List.of(),
                Duration.ofSeconds(60)))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining(python37 + " on machine pc2 (")
                .hasMessageContaining("needs Python 3.8 or newer; this is 3.7")
                .hasMessageContaining("Set machines.pc2.python in settings.yaml");
    }
}
