package io.fleetshell.engine.health;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 18 item 6: profile and score warn when the machine was busy, from the load average and the samples' spread. */
class BusyMachineTest {

    private static AgentProfile profile(String name, double... loads) {
        ProfileTarget target = new ProfileTarget(new AgentId("m", name), Path.of("/f/" + name + ".py"), "python3", Path.of("/f"), Map.of());
        List<LoadSample> samples = new java.util.ArrayList<>();
        for (int i = 0; i < loads.length; i++) {
            samples.add(new LoadSample(i + 1, true, loads[i], 1, 1, List.of(), List.of(), "3.11.7", null));
        }
        return new AgentProfile(target, samples);
    }

    @Test
    void aQuietProfileHasNoWarning() {
        assertThat(BusyMachine.warning(List.of(profile("A", 100, 104, 98)), 0.8, 2)).isEmpty();
    }

    @Test
    void aHighLoadAverageOrAWideSpreadIsNamed() {
        assertThat(BusyMachine.warning(List.of(profile("A", 100, 104, 98)), 5.2, 2)).get().asString()
                .startsWith("the machine was busy while profiling: load average 5.2 on 2 cores.");
        // 1083 vs 1548 ms, as two runs of the same heavy agent differed on a loaded 2-core machine
        assertThat(BusyMachine.warning(List.of(profile("A", 100, 104, 98), profile("Heavy", 1083, 1548, 1100)), -1, 2)).get().asString()
                .startsWith("the machine was busy while profiling: samples of m/Heavy spread 42% of their median over 3 runs.");
    }
}
