package io.fleetshell.history;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentCommands;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.Notice;
import io.fleetshell.engine.inventory.ScriptResolution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.fleetshell.history.Fleets.config;
import static io.fleetshell.history.HistoryDatabaseTest.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(HistoryDatabaseExtension.class)
class InventoryStoreTest {

    static final Path MAIN = Path.of("/fleet/mainpc/startup_config.yaml");
    static final Path PC2 = Path.of("/fleet/pc2/startup_pc2.yaml");
    static final Path EXTRA = Path.of("/fleet/mainpc/extra_agents.yaml");

    @Test
    void roundTripsEveryFieldOfMachinesAndAgents(HistoryDatabase db) {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("model", "qwen2.5:7b");
        nested.put("temperature", 0.2);
        nested.put("max_tokens", 4096);
        nested.put("big", 10_000_000_000L);
        nested.put("huge", new BigInteger("123456789012345678901234567890"));
        nested.put("enabled", true);
        nested.put("nothing", null);
        nested.put("tags", List.of("gpu", "fast", List.of(1, 2)));
        nested.put("limits", Map.of("cpu", 2, "memory", Map.of("soft", "1G", "hard", "2G")));
        Machine machine = new Machine("mainpc", Path.of("/home/me/AI_System"), "/opt/venv/bin/python3.11",
                Map.of("PYTHONPATH", "/home/me/AI_System", "CUDA_VISIBLE_DEVICES", "0"),
                Map.of("interval_seconds", 30, "timeout", 5.5, "endpoints", List.of("/health", "/ready")));
        Agent full = new Agent(new AgentId("mainpc", "ModelManagerAgent"), "core_services",
                "main_pc_code/agents/model_manager_agent.py",
                new ScriptResolution(ScriptResolution.Status.FOUND_ELSEWHERE,
                        Path.of("/home/me/AI_System/main_pc_code/agents/legacy/model_manager_agent.py"),
                        "found in main_pc_code/agents/legacy/ instead"),
                "0.0.0.0", 5570, 6570, true, List.of("SystemDigitalTwin", "ServiceRegistry", "Alpha"), nested,
                new AgentCommands("python3 -m pytest tests/test_model_manager.py", "systemctl restart {name}"), false, MAIN, 42);
        Agent sparse = new Agent(new AgentId("mainpc", "Ghost"), null, "nowhere/ghost.py",
                new ScriptResolution(ScriptResolution.Status.NOT_FOUND, null, "not found under /home/me/AI_System"),
                null, null, null, false, List.of(), Map.of(), null, true, MAIN, 7);
        Agent unresolved = new Agent(new AgentId("mainpc", "Unresolved"), "x", null, null, null, null, null,
                false, List.of(), null, null, false, MAIN, 9);
        LoadedConfig loaded = new LoadedConfig(new ConfigSource(MAIN, "mainpc", Path.of("/home/me/AI_System")),
                "agent_groups: ...\n", Fleets.sha256("agent_groups: ...\n"), machine,
                List.of(full, sparse, unresolved), List.of(new Notice(MAIN, 3, "not an agent")));
        InventoryStore store = new InventoryStore(db);

        store.save(loaded);
        Inventory inventory = store.inventory();

        assertThat(inventory.machines()).containsExactly(machine);
        assertThat(inventory.agents()).containsExactly(sparse, full, unresolved);
        Agent back = inventory.find(new AgentId("mainpc", "ModelManagerAgent")).getFirst();
        assertThat(back.dependencies()).containsExactly("SystemDigitalTwin", "ServiceRegistry", "Alpha");
        assertThat(back.config().keySet()).containsExactlyElementsOf(nested.keySet());
        assertThat(back.config()).containsEntry("nothing", null);
        assertThat(store.sources()).containsExactly(loaded.source());
        assertThat(store.latestSnapshot(MAIN)).contains("agent_groups: ...\n");
        // what the start-up sweep reads instead of the whole inventory: the found scripts' directories
        assertThat(store.scriptDirectories()).containsExactly(Path.of("/home/me/AI_System/main_pc_code/agents/legacy"));
    }

    @Test
    void aRemoteMachineKeepsHowItIsReachedAndItsConfigWhereItIs(HistoryDatabase db) {
        Path file = Path.of("/srv/fleet/pc2_code/config/startup_config.yaml");
        io.fleetshell.engine.host.SshAccess ssh = new io.fleetshell.engine.host.SshAccess("deploy@10.0.0.12", 2222, Path.of("/home/me/.ssh/fleet"),
                null, Map.of("StrictHostKeyChecking", "accept-new", "ProxyJump", "bastion"), true, 4, "/var/lib/fleetshell");
        Machine machine = new Machine("pc2", Path.of("/srv/fleet"), "/srv/venv/bin/python3", Map.of(), Map.of(), ssh);
        Agent agent = new Agent(new AgentId("pc2", "Cache"), null, "pc2_code/agents/cache.py",
                new ScriptResolution(ScriptResolution.Status.FOUND, Path.of("/srv/fleet/pc2_code/agents/cache.py"), "at pc2_code/agents/cache.py"),
                null, null, null, false, List.of(), Map.of(), null, false, file, 3);
        InventoryStore store = new InventoryStore(db);
        store.save(new LoadedConfig(new ConfigSource(file, "pc2", null, true), "pc2_services: []\n", Fleets.sha256("pc2_services: []\n"),
                machine, List.of(agent), List.of()));

        assertThat(store.inventory().machines()).containsExactly(machine);
        assertThat(store.sources()).containsExactly(new ConfigSource(file, "pc2", null, true));
    }

    @Test
    void addsASnapshotOnlyWhenTheTextChanges(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);

        store.save(config(MAIN, "mainpc", "v1", "A"));
        store.save(config(MAIN, "mainpc", "v1", "A"));
        assertThat(snapshots(db)).containsExactly("v1");

        store.save(config(MAIN, "mainpc", "v2", "A", "B"));
        store.save(config(MAIN, "mainpc", "v2", "A", "B"));
        store.save(config(MAIN, "mainpc", "v1", "A"));
        assertThat(snapshots(db)).containsExactly("v1", "v2", "v1");
        assertThat(store.latestSnapshot(MAIN)).contains("v1");
        assertThat(store.latestSnapshot(PC2)).isEmpty();
        assertThat(query(db, "SELECT DISTINCT snapshot_id FROM agents"))
                .containsExactly(query(db, "SELECT max(id) FROM config_snapshots").getFirst());
    }

    @Test
    void savingAConfigAgainReplacesItsAgentsOnly(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);
        store.saveAll(List.of(config(MAIN, "mainpc", "m1", "A", "B", "C"), config(PC2, "pc2", "p1", "X")));

        store.save(config(MAIN, "mainpc", "m2", "B", "D"));

        assertThat(ids(store.inventory())).containsExactly("mainpc/B", "mainpc/D", "pc2/X");
        assertThat(store.inventory().machines()).extracting(Machine::name).containsExactly("mainpc", "pc2");
    }

    @Test
    void refreshCanMoveAnAgentFromOneConfigToAnother(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);
        store.saveAll(List.of(config(MAIN, "mainpc", "m1", "A", "Moving"), config(EXTRA, "mainpc", "e1", "E")));

        // EXTRA now defines Moving and MAIN no longer does; EXTRA is saved first.
        store.saveAll(List.of(config(EXTRA, "mainpc", "e2", "E", "Moving"), config(MAIN, "mainpc", "m2", "A")));

        Inventory inventory = store.inventory();
        assertThat(ids(inventory)).containsExactly("mainpc/A", "mainpc/E", "mainpc/Moving");
        assertThat(inventory.find(AgentId.parse("mainpc/Moving")).getFirst().configFile()).isEqualTo(EXTRA);
        assertThat(store.sources()).extracting(ConfigSource::file).containsExactly(MAIN, EXTRA);
    }

    @Test
    void anAgentDefinedByAnotherConfigRollsBackEverything(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);
        store.save(config(MAIN, "mainpc", "m1", "A", "Shared"));
        Inventory before = store.inventory();
        List<String> snapshotsBefore = snapshots(db);

        LoadedConfig pc2 = config(PC2, "pc2", "p1", "X");
        LoadedConfig mainAgain = config(MAIN, "mainpc", "m2", "A", "Shared", "New");
        LoadedConfig extra = config(EXTRA, "mainpc", "e1", "E", "Shared");
        assertThatThrownBy(() -> store.saveAll(List.of(pc2, mainAgain, extra)))
                .isInstanceOfSatisfying(FleetshellException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessage("Agent mainpc/Shared at " + EXTRA + ":4 is already defined in " + MAIN + ":4. Rename"
                        + " one of them, or run `inventory unload " + MAIN + "` first if that config no longer"
                        + " describes the fleet. Nothing was saved: the inventory is as it was before.");

        assertThat(store.inventory()).isEqualTo(before);
        assertThat(store.sources()).extracting(ConfigSource::file).containsExactly(MAIN);
        assertThat(snapshots(db)).isEqualTo(snapshotsBefore);
        assertThat(query(db, "SELECT name FROM machines")).containsExactly("mainpc");
    }

    @Test
    void anAgentDefinedTwiceInOneConfigIsRefused(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);

        assertThatThrownBy(() -> store.save(config(MAIN, "mainpc", "m1", "A", "A")))
                .isInstanceOfSatisfying(FleetshellException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageStartingWith("Agent mainpc/A at " + MAIN + ":4 is already defined in " + MAIN + ":3."
                        + " Rename one of the two entries.");
        assertThat(store.inventory().isEmpty()).isTrue();
        assertThat(store.sources()).isEmpty();
    }

    @Test
    void theSameNameOnTwoMachinesIsTwoAgents(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);

        store.saveAll(List.of(config(MAIN, "mainpc", "m", "Shared"), config(PC2, "pc2", "p", "Shared")));

        assertThat(ids(store.inventory())).containsExactly("mainpc/Shared", "pc2/Shared");
    }

    @Test
    void forgetRemovesAgentsAndKeepsHistory(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);
        store.saveAll(List.of(config(MAIN, "mainpc", "m1", "A"), config(PC2, "pc2", "p1", "X")));

        store.forget(PC2);

        assertThat(ids(store.inventory())).containsExactly("mainpc/A");
        assertThat(store.inventory().machines()).extracting(Machine::name).containsExactly("mainpc");
        assertThat(store.sources()).extracting(ConfigSource::file).containsExactly(MAIN);
        assertThat(store.latestSnapshot(PC2)).contains("p1");
        assertThatThrownBy(() -> store.forget(PC2))
                .isInstanceOfSatisfying(FleetshellException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_NAME))
                .hasMessageContaining("No config " + PC2 + " is loaded");

        store.save(config(PC2, "pc2", "p1", "X"));
        assertThat(ids(store.inventory())).containsExactly("mainpc/A", "pc2/X");
        assertThat(snapshots(db)).containsExactly("m1", "p1");
    }

    @Test
    void forgettingFreesTheAgentNamesForAnotherConfig(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);
        store.save(config(MAIN, "mainpc", "m1", "A"));

        store.forget(MAIN);
        store.save(config(EXTRA, "mainpc", "e1", "A"));

        assertThat(store.inventory().agents()).extracting(Agent::configFile).containsExactly(EXTRA);
    }

    @Test
    void aSourceKeepsItsOptions(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);
        LoadedConfig plain = config(MAIN, "mainpc", "m1", "A");
        LoadedConfig withOptions = new LoadedConfig(new ConfigSource(MAIN, "desktop", Path.of("/opt/fleet")),
                "m1", plain.sha256(), plain.machine(), plain.agents(), List.of());

        store.save(plain);
        assertThat(store.sources()).containsExactly(new ConfigSource(MAIN, null, null));
        store.save(withOptions);
        assertThat(store.sources()).containsExactly(withOptions.source());
    }

    @Test
    void agentsMustAgreeWithTheirConfig(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);
        LoadedConfig base = config(MAIN, "mainpc", "m1");
        LoadedConfig otherMachine = new LoadedConfig(base.source(), "m1", base.sha256(), base.machine(),
                List.of(Fleets.agent("pc2", "A", MAIN, 3)), List.of());
        LoadedConfig otherFile = new LoadedConfig(base.source(), "m1", base.sha256(), base.machine(),
                List.of(Fleets.agent("mainpc", "A", PC2, 3)), List.of());

        assertThatThrownBy(() -> store.save(otherMachine)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.save(otherFile)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHundredAgentConfigSavesQuickly(HistoryDatabase db) {
        InventoryStore store = new InventoryStore(db);
        String[] names = new String[100];
        Arrays.setAll(names, i -> "Agent" + i);

        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            store.save(config(MAIN, "mainpc", "v" + i, names));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(store.inventory().agents()).hasSize(100);
        assertThat(millis).as("20 saves of 100 agents, ms").isLessThan(5_000);
    }

    private static List<String> snapshots(HistoryDatabase db) {
        return query(db, "SELECT content FROM config_snapshots ORDER BY id");
    }

    private static List<String> ids(Inventory inventory) {
        List<String> ids = new ArrayList<>();
        inventory.agents().forEach(a -> ids.add(a.id().toString()));
        return ids;
    }
}
