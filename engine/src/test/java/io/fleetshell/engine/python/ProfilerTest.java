package io.fleetshell.engine.python;

import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.ProfileTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against the real python3: loads agents as modules in fresh processes. */
class ProfilerTest {

    @TempDir
    Path fleet;

    @TempDir
    static Path cache;

    private Profiler profiler;

    @org.junit.jupiter.api.BeforeEach
    void open() {
        profiler = new Profiler(Duration.ofSeconds(20), cache);
    }

    @AfterEach
    void close() {
        profiler.close();
    }

    private ProfileTarget agent(String name, String source) throws IOException {
        Path script = fleet.resolve(name + ".py");
        Files.writeString(script, source);
        return new ProfileTarget(new AgentId("m", name), script, "python3", fleet, Map.of("DEMO_FLAG", "on"));
    }

    @Test
    void measuresTheLoadWithoutRunningTheMainBlock() throws IOException {
        Files.writeString(fleet.resolve("helper_mod.py"), "VALUE = 42\n");
        ProfileTarget target = agent("ok_agent", """
                import os
                import asyncio
                import helper_mod
                assert os.environ["DEMO_FLAG"] == "on"
                if __name__ == "__main__":
                    raise SystemExit("the __main__ block must not run")
                """);
        AgentProfile profile = profiler.profile(target, 3);
        assertThat(profile.loaded()).isTrue();
        assertThat(profile.samples()).hasSize(3);
        assertThat(profile.loadMillis().n()).isEqualTo(3);
        assertThat(profile.loadMillis().median()).isPositive();
        assertThat(profile.peakRssKb().median()).isBetween(1_000.0, 200_000.0);
        assertThat(profile.modulesLoaded().median()).isGreaterThan(10);
        assertThat(profile.directImports()).extracting(AgentProfile.ImportCost::module).startsWith("asyncio").contains("helper_mod");
        assertThat(profile.statements()).extracting(AgentProfile.StatementMedian::line, AgentProfile.StatementMedian::module)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "os"), org.assertj.core.groups.Tuple.tuple(2, "asyncio"),
                        org.assertj.core.groups.Tuple.tuple(3, "helper_mod"));
        assertThat(profile.statements().get(1).millis()).isGreaterThan(profile.statements().get(0).millis());
        assertThat(profile.statements().get(1).rssKb()).isPositive();
        assertThat(profile.python()).matches("3\\.\\d+\\.\\d+");
        try (Stream<Path> files = Files.walk(fleet)) {
            assertThat(files.filter(f -> f.toString().contains("__pycache__"))).as("nothing written into the fleet").isEmpty();
        }
        try (Stream<Path> files = Files.walk(cache)) {
            assertThat(files.filter(f -> f.toString().endsWith("helper_mod.cpython-" + profile.python().replaceAll("^3\\.(\\d+).*", "3$1") + ".pyc"))).hasSize(1);
        }
    }

    @Test
    void failuresAreRecordedWithTheAgentLineAndStopTheRuns() throws IOException {
        AgentProfile missing = profiler.profile(agent("missing_dep", "import json\n\nimport no_such_module_here\n"), 5);
        assertThat(missing.loaded()).isFalse();
        assertThat(missing.samples()).hasSize(1);
        assertThat(missing.failure()).hasValueSatisfying(e -> {
            assertThat(e.type()).isEqualTo("ModuleNotFoundError");
            assertThat(e.line()).isEqualTo(3);
        });
        assertThat(missing.loadMillis().n()).isZero();

        AgentProfile syntax = profiler.profile(agent("broken", "x = 1\ndef f(:\n    pass\n"), 5);
        assertThat(syntax.failure()).hasValueSatisfying(e -> {
            assertThat(e.type()).isEqualTo("SyntaxError");
            assertThat(e.line()).isEqualTo(2);
        });

        AgentProfile crash = profiler.profile(agent("crash", "raise SystemExit(3)\n"), 2);
        assertThat(crash.failure()).hasValueSatisfying(e -> assertThat(e.type()).isEqualTo("SystemExit"));
    }

    @Test
    void aHangingLoadIsStoppedAtTheTimeout() throws IOException {
        try (Profiler quick = new Profiler(Duration.ofSeconds(1), cache)) {
            AgentProfile hang = quick.profile(agent("hang", "import time\ntime.sleep(30)\n"), 3);
            assertThat(hang.failure()).hasValueSatisfying(e -> {
                assertThat(e.type()).isEqualTo("Timeout");
                assertThat(e.message()).contains("longer than 1 s");
            });
        }
    }

    @Test
    void aMissingInterpreterSaysWhatToSet() throws IOException {
        ProfileTarget target = agent("any", "x = 1\n");
        ProfileTarget noPython = new ProfileTarget(target.agent(), target.script(), "/nonexistent/python9", fleet, Map.of());
        assertThatThrownBy(() -> profiler.profile(noPython, 1))
                .isInstanceOf(FleetshellException.class)
                .hasMessageContaining("cannot start the interpreter '/nonexistent/python9'")
                .hasMessageContaining("python:");
    }

    @Test
    void profilesSeveralAgentsInTheOrderGiven() throws IOException {
        List<ProfileTarget> targets = List.of(agent("a", "import json\n"), agent("b", "import csv\n"), agent("c", "x = 1\n"));
        List<AgentProfile> profiles = profiler.profileAll(targets, 1, 2, p -> { });
        assertThat(profiles).extracting(p -> p.target().agent().name()).containsExactly("a", "b", "c");
        assertThat(profiles).allMatch(AgentProfile::loaded);
    }
}
