package io.fleetshell.engine.health;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classification of load errors as real agents reported them (messages copied from the fleet of issue 16); the
 * whole route, from real failing loads to the printed summary, is {@code LoadHealthTest} in the shell.
 */
class LoadFailuresTest {

    @TempDir
    Path root;

    private AgentProfile failed(String name, String type, String message, Integer line) {
        ProfileTarget target = new ProfileTarget(new AgentId("mainpc", name), root.resolve(name.toLowerCase() + ".py"), "/opt/venv/bin/python",
                root, Map.of());
        return new AgentProfile(target, List.of(new LoadSample(1, false, 0, 0, 0, List.of(), List.of(), null,
                new LoadSample.LoadError(type, message, line))));
    }

    @Test
    void packagesAreNamedByTheirDistributionAndLibrariesByTheirSystemPackage() {
        LoadFailures.Summary summary = LoadFailures.of(List.of(
                failed("Vision", "ModuleNotFoundError", "No module named 'cv2'", 3),
                failed("Config", "ModuleNotFoundError", "No module named 'yaml'", 1),
                failed("Voice", "OSError", "PortAudio library not found", 7),
                failed("Docker", "DockerException", "Error while fetching server API version: ('Connection aborted.', "
                        + "FileNotFoundError(2, 'No such file or directory'))", 12)), "/opt/venv/bin/python");
        assertThat(summary.groups()).extracting(LoadFailures.Group::cause).containsExactly(LoadFailures.Cause.MISSING_PACKAGE,
                LoadFailures.Cause.MISSING_SYSTEM_LIBRARY, LoadFailures.Cause.CONNECTION_AT_IMPORT);
        assertThat(summary.groups().get(0).fix()).isEqualTo("install into the fleet's interpreter: /opt/venv/bin/python -m pip install opencv-python PyYAML");
        assertThat(summary.groups().get(1).fix()).isEqualTo("install the system library: PortAudio (apt install libportaudio2)");
        assertThat(summary.groups().get(2).details()).containsExactly("the Docker daemon");
    }
}
