package io.fleetshell.history;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.ConfigSource;
import io.fleetshell.engine.inventory.LoadedConfig;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.ScriptResolution;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Small fleets for tests: loaded configs whose agents agree with their machine and file. */
final class Fleets {

    private Fleets() {
    }

    static Machine machine(String name) {
        return new Machine(name, Path.of("/srv/" + name), Machine.DEFAULT_PYTHON, Map.of(), Map.of());
    }

    /** An agent as simple as the engine makes them; {@code line} is its line in {@code file}. */
    static Agent agent(String machine, String name, Path file, int line) {
        return new Agent(new AgentId(machine, name), "core", "agents/" + name + ".py",
                new ScriptResolution(ScriptResolution.Status.FOUND, Path.of("/srv/" + machine + "/agents/" + name + ".py"),
                        "found where the config says"),
                null, null, null, true, List.of(), Map.of(), null, false, file, line);
    }

    /** A config of {@code machine} at {@code file} with the given text and agents named one per line from 3. */
    static LoadedConfig config(Path file, String machine, String content, String... agentNames) {
        List<Agent> agents = new java.util.ArrayList<>();
        for (int i = 0; i < agentNames.length; i++) {
            agents.add(agent(machine, agentNames[i], file, 3 + i));
        }
        return new LoadedConfig(new ConfigSource(file, null, null), content, sha256(content), machine(machine),
                agents, List.of());
    }

    static String sha256(String content) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
