package io.fleetshell.engine.python;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.SshHost;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.ProfileTarget;
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
 * The facts helper and the interpreter's resolution on a machine reached over ssh (a real sshd in a mount namespace of
 * its own, whose remote root this JVM cannot see): the helper travels on stdin, the files analysed are the host's, and
 * a missing or too old interpreter there is an error naming the machine, the interpreter and the setting to fix. The
 * profiler's loads run there too, and say so.
 */
class RemoteFactsTest {

    @TempDir
    static Path dir;
    static Sshd sshd;
    static FleetHome home;
    static Path root;

    @BeforeAll
    static void start() throws Exception {
        sshd = Sshd.startIsolated(dir.resolve("sshd"), "facts-host", dir.resolve("remote root"), 0);
        home = new FleetHome(dir.resolve("home"));
        root = sshd.remoteRoot().resolve("fleet");
        sshd.inside("mkdir", "-p", root.toString());
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
        Path agent = root.resolve("agent's file.py");
        sshd.writeString(agent, "import json\n\ndef handle(x):\n    return json.dumps(x)\n");
        Machine machine = new Machine("pc2", root, "python3", Map.of(), Map.of());
        Host host = host("python3");
        assertThat(agent).as("only on the host").doesNotExist();
        assertThat(root).as("only on the host: resolving here cannot start in it").doesNotExist();
        assertThat(new Interpreters().of(machine)).as("resolved here").isEqualTo("python3");

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
        Path agent = root.resolve("missing.py");
        sshd.writeString(agent, "import os\n");
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
        Path agent = root.resolve("old.py");
        sshd.writeString(agent, "import os\n");

        assertThatThrownBy(() -> new PythonFacts().analyze(host("python3"), python37.toString(), List.of(agent), Set.of(), List.of(),
                Duration.ofSeconds(60)))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining(python37 + " on machine pc2 (")
                .hasMessageContaining("needs Python 3.8 or newer; this is 3.7")
                .hasMessageContaining("Set machines.pc2.python in settings.yaml");
    }

    @Test
    void theProfilerLoadsTheHostsFileThereAndSaysWhere() throws Exception {
        Path agent = root.resolve("profiled.py");
        sshd.writeString(agent, "import json\nimport decimal\nVALUE = json.dumps([1])\n");
        Machine machine = new Machine("pc2", root, "python3", Map.of(), Map.of());
        Host host = host("python3");
        Path cache = host.stateDirectory().resolve("cache/pycache");

        AgentProfile profile;
        try (Profiler profiler = new Profiler(Duration.ofSeconds(60), host, cache)) {
            profile = profiler.profile(new ProfileTarget(new AgentId("pc2", "Profiled"), agent, new Interpreters().of(host, machine), root,
                    Map.of()), 2);
        }

        assertThat(agent).as("only on the host").doesNotExist();
        assertThat(profile.loaded()).as(String.valueOf(profile.failure())).isTrue();
        assertThat(profile.measuredOn()).isEqualTo(sshd.access().describe());
        assertThat(profile.statements()).extracting(AgentProfile.StatementMedian::module).containsExactly("json", "decimal");
        assertThat(profile.samples()).allSatisfy(s -> assertThat(s.loadAverage()).isNotNaN());
    }
}
