package io.fleetshell.shell.commands;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.PlanStep;
import io.fleetshell.engine.rollout.Planner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 18 item 6: a plan's Java start-to-healthy gain is never summed into the Python module-load gain. */
class PlanGainTest {

    private static PlanStep step(String name, String file, Double gain) {
        Path path = Path.of("/fleet", file);
        return new PlanStep(1, 1, new AgentId("m", name), path, "p", "0".repeat(64),
                Rewrite.unchanged("p", path, new byte[0], List.of()), gain, ProofHints.NONE);
    }

    @Test
    void pythonAndJavaGainsAreSummedApart() {
        Plan mixed = new Plan("p", List.of(step("A", "a.py", 100.0), step("B", "b.py", 30.0), step("J", "J.java", 445.0),
                step("U", "u.py", null)), List.of(), Planner.ONE_AGENT);
        assertThat(RolloutView.gainInWords(mixed)).isEqualTo("130.0 ms of module load in total and 445.0 ms of Java start to healthy in total");
        Plan python = new Plan("p", List.of(step("A", "a.py", 100.0)), List.of(), Planner.ONE_AGENT);
        assertThat(RolloutView.gainInWords(python)).isEqualTo("100.0 ms of module load in total");
    }
}
