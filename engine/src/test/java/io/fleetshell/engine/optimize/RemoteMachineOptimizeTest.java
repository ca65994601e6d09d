package io.fleetshell.engine.optimize;

import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.python.analysis.PythonFacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An agent of a machine reached over ssh is rewritten and proved on this computer only where the machine's fleet root
 * is reachable here at the same path; otherwise {@code optimize} refuses at once with what to do, instead of failing
 * later on a script that is not here. The same machine with its root here is optimized as any other.
 */
class RemoteMachineOptimizeTest {

    @TempDir
    Path dir;

    @Test
    void anAgentOfASshMachineWhoseRootIsNotHereIsRefusedWithTheFix() {
        Path fleet = new DemoFleet().install(dir.resolve("fleet"), false).dir();
        LoadedConfig config = new InventoryLoader(Map.of(), InventoryLoader.DEFAULT_INFRASTRUCTURE).load(DemoFleet.configs(fleet).getLast());
        Agent agent = config.agents().stream().filter(a -> a.name().equals("TranslationService")).findFirst().orElseThrow();
        Machine loaded = config.machine();
        Optimizers optimizers = new Optimizers(new PythonOptimizer(PythonFacts.withTemporaryHelper(), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, null), null);

        Machine elsewhere = new Machine(loaded.name(), Path.of("/srv/fleet-not-on-this-computer"), "python3", loaded.environment(),
                loaded.healthCheck(), SshAccess.to("deploy@10.0.0.12"));
        Inventory remote = new Inventory(List.of(elsewhere), List.of(agent));
        assertThatThrownBy(() -> optimizers.optimize(remote, agent, null))
                .isInstanceOf(FleetshellException.class)
                .hasMessageContaining("pc2/TranslationService is on machine pc2, reached over ssh (deploy@10.0.0.12)")
                .hasMessageContaining("/srv/fleet-not-on-this-computer")
                .hasMessageContaining("Mount or sync it there")
                .hasMessageContaining("nothing was changed");

        Machine mounted = new Machine(loaded.name(), loaded.fleetRoot(), "python3", loaded.environment(), loaded.healthCheck(),
                SshAccess.to("deploy@10.0.0.12"));
        Optimization made = optimizers.optimize(new Inventory(List.of(mounted), List.of(agent)), agent, null);
        assertThat(made.rewrite().changes()).isTrue();
    }
}
