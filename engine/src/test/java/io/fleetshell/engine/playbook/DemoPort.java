package io.fleetshell.engine.playbook;

import io.fleetshell.engine.analysis.FileFacts;
import io.fleetshell.engine.analysis.PythonFacts;
import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.engine.score.Scorer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo fleet's real inventory, scored from static facts with the real Python helper; records every
 * call so tests can tell whether a playbook reached the fleet. Profiling is refused: the shell's tests
 * cover it through the real profiler.
 */
final class DemoPort implements FleetPort {

    final List<String> calls = new ArrayList<>();
    private final Inventory inventory;
    private final Path helpers;

    DemoPort(Path dir) {
        Path demo = new DemoFleet().install(dir.resolve("demo"), false).dir();
        InventoryLoader loader = new InventoryLoader(Map.of("PORT_OFFSET", "50000"), InventoryLoader.DEFAULT_INFRASTRUCTURE);
        List<LoadedConfig> loaded = DemoFleet.configs(demo).stream().map(loader::load).toList();
        this.inventory = new Inventory(loaded.stream().map(LoadedConfig::machine).toList(),
                loaded.stream().flatMap(l -> l.agents().stream()).toList());
        this.helpers = dir.resolve("helpers");
    }

    @Override
    public Inventory inventory() {
        calls.add("inventory");
        return inventory;
    }

    @Override
    public List<AgentScore> score(List<Agent> agents) {
        calls.add("score " + agents.size());
        List<FileFacts> facts = new PythonFacts(helpers).analyzeInParallel("python3",
                agents.stream().map(a -> a.script().path()).toList(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, 2);
        List<AgentScore> scores = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
            scores.add(Scorer.score(agents.get(i), facts.get(i), null, 0, null));
        }
        return scores;
    }

    @Override
    public List<Profiled> profile(List<Agent> agents, int runs) {
        calls.add("profile " + agents.size());
        throw new UnsupportedOperationException("the engine tests do not profile");
    }

    /** Calls that would have changed something (none of the demo port's calls do, but profile would store). */
    List<String> actions() {
        return calls.stream().filter(c -> c.startsWith("profile")).toList();
    }
}
