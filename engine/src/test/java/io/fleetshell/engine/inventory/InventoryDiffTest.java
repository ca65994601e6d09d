package io.fleetshell.engine.inventory;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class InventoryDiffTest {

    private static Agent agent(String name, int port, int line) {
        return new Agent(new AgentId("m", name), "g", name + ".py",
                new ScriptResolution(ScriptResolution.Status.FOUND, Path.of("/f/" + name + ".py"), "at " + name + ".py"),
                null, port, null, false, List.of(), Map.of(), null, false, Path.of("/f/c.yaml"), line);
    }

    @Test
    void reportsAddedRemovedAndChangedFieldsButNotMovedLines() {
        Inventory before = new Inventory(List.of(), List.of(agent("A", 1, 3), agent("B", 2, 4), agent("C", 3, 5)));
        Inventory after = new Inventory(List.of(), List.of(agent("A", 1, 9), agent("B", 20, 4), agent("D", 4, 6)));
        InventoryDiff diff = InventoryDiff.between(before, after);
        assertThat(diff.added()).extracting(Agent::name).containsExactly("D");
        assertThat(diff.removed()).extracting(Agent::name).containsExactly("C");
        assertThat(diff.changed()).containsExactly(new InventoryDiff.Change(new AgentId("m", "B"), List.of("port")));
        assertThat(InventoryDiff.between(after, after).isEmpty()).isTrue();
    }
}
