package io.fleetshell.engine;

import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.inventory.InventoryLoader;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * User settings from {@code FLEETSHELL_HOME/settings.yaml}; every key is optional.
 *
 * @param infrastructureAgents agents that are never optimized ({@code infrastructure_agents:} list)
 * @param thresholds           what comparisons, gates and {@code health} are held to ({@code thresholds:} mapping)
 */
public record Settings(Set<String> infrastructureAgents, Thresholds thresholds) {

    public static Settings defaults() {
        return new Settings(InventoryLoader.DEFAULT_INFRASTRUCTURE, Thresholds.defaults());
    }

    public static Settings read(Path file) {
        if (!Files.isRegularFile(file)) {
            return defaults();
        }
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(1);
            throw new FleetshellException(ErrorCode.CONFIG_INVALID,
                    "%s:%d: broken YAML: %s. Fix that line or delete the file to use the defaults.".formatted(file, line, e.getProblem()));
        } catch (YamlEngineException | IOException e) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, file + ": " + e.getMessage());
        }
        if (root == null) {
            return defaults();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, file + ": expected a mapping of settings");
        }
        Thresholds thresholds = Thresholds.from(map.get(Thresholds.KEY), file);
        Object infra = map.get("infrastructure_agents");
        if (infra == null) {
            return new Settings(InventoryLoader.DEFAULT_INFRASTRUCTURE, thresholds);
        }
        if (!(infra instanceof List<?> list)) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID,
                    file + ": infrastructure_agents must be a list of agent names");
        }
        return new Settings(Set.copyOf(list.stream().map(String::valueOf).toList()), thresholds);
    }
}
