package io.fleetshell.engine.settings;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.MachineOverride;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * User settings from {@code FLEETSHELL_HOME/settings.yaml}; every key is optional.
 *
 * @param infrastructureAgents agents that are never optimized ({@code infrastructure_agents:} list)
 * @param sideEffectModules    modules imported for their side effects, never deferred or removed
 *                             ({@code side_effect_modules:} list; default {@link PythonFacts#DEFAULT_SIDE_EFFECT_MODULES})
 * @param thresholds           what comparisons, gates and {@code health} are held to ({@code thresholds:} mapping)
 * @param prometheusUrl        the Prometheus server that scrapes the fleet ({@code prometheus_url:}), or null:
 *                             metrics are then read from its query API instead of the agents' endpoints
 * @param machines             per machine name, what this computer overrides in its configs ({@code machines:
 *                             NAME: {env:, path_map:, python:}}), applied when they load
 * @param metricsRetention     how long metric scrapes stay in history ({@code metrics_retention: 30d}), or null: forever
 */
public record Settings(Set<String> infrastructureAgents, Set<String> sideEffectModules, Thresholds thresholds, URI prometheusUrl,
                       Map<String, MachineOverride> machines, Duration metricsRetention) {

    public Settings {
        infrastructureAgents = Set.copyOf(infrastructureAgents);
        sideEffectModules = Set.copyOf(sideEffectModules);
        machines = Map.copyOf(machines);
    }

    public Settings(Set<String> infrastructureAgents, Set<String> sideEffectModules, Thresholds thresholds, URI prometheusUrl) {
        this(infrastructureAgents, sideEffectModules, thresholds, prometheusUrl, Map.of());
    }

    public Settings(Set<String> infrastructureAgents, Set<String> sideEffectModules, Thresholds thresholds, URI prometheusUrl,
                    Map<String, MachineOverride> machines) {
        this(infrastructureAgents, sideEffectModules, thresholds, prometheusUrl, machines, null);
    }

    public Settings(Set<String> infrastructureAgents) {
        this(infrastructureAgents, PythonFacts.DEFAULT_SIDE_EFFECT_MODULES, Thresholds.defaults(), null);
    }

    public static Settings defaults() {
        return new Settings(InventoryLoader.DEFAULT_INFRASTRUCTURE);
    }

    /** The Prometheus server to read metrics from, when settings.yaml names one. */
    public Optional<URI> prometheus() {
        return Optional.ofNullable(prometheusUrl);
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
        return new Settings(names(file, map, "infrastructure_agents", "agent names", InventoryLoader.DEFAULT_INFRASTRUCTURE),
                names(file, map, "side_effect_modules", "module names", PythonFacts.DEFAULT_SIDE_EFFECT_MODULES),
                Thresholds.from(map.get(Thresholds.KEY), file), prometheusUrl(file, map.get("prometheus_url")),
                machines(file, map.get("machines")), retention(file, map.get("metrics_retention")));
    }

    private static Map<String, MachineOverride> machines(Path file, Object value) {
        if (value == null) {
            return Map.of();
        }
        String example = "machines: {mainpc: {env: {PYTHONPATH: .}, path_map: {/app: .}, python: /opt/venv/bin/python}}";
        if (!(value instanceof Map<?, ?> byName)) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: machines must map machine names to overrides, e.g. %s".formatted(file, example));
        }
        Map<String, MachineOverride> out = new java.util.LinkedHashMap<>();
        byName.forEach((name, raw) -> {
            if (!(raw instanceof Map<?, ?> m)) {
                throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: machines.%s must be a mapping with env:, path_map: or python:, e.g. %s"
                        .formatted(file, name, example));
            }
            for (Object key : m.keySet()) {
                if (!List.of("env", "path_map", "python").contains(String.valueOf(key))) {
                    throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: machines.%s.%s is not a setting; a machine takes env:, path_map: and python:"
                            .formatted(file, name, key));
                }
            }
            Map<String, String> pathMap = strings(file, "machines.%s.path_map".formatted(name), m.get("path_map"));
            pathMap.keySet().stream().filter(k -> !k.startsWith("/")).findFirst().ifPresent(k -> {
                throw new FleetshellException(ErrorCode.CONFIG_INVALID, ("%s: machines.%s.path_map key '%s' is not an absolute path; map the path "
                        + "the config writes (/app) to a directory of the fleet root (.)").formatted(file, name, k));
            });
            Object python = m.get("python");
            out.put(String.valueOf(name), new MachineOverride(strings(file, "machines.%s.env".formatted(name), m.get("env")), pathMap,
                    python == null || String.valueOf(python).isBlank() ? null : String.valueOf(python)));
        });
        return out;
    }

    private static Map<String, String> strings(Path file, String key, Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: %s must be a mapping of names to values".formatted(file, key));
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        return out;
    }

    /** {@code metrics_retention: 30d} (days or hours). */
    private static Duration retention(Path file, Object value) {
        if (value == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([1-9]\\d{0,4})([dh])").matcher(String.valueOf(value).strip());
        if (!m.matches()) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, ("%s: metrics_retention '%s' is not a retention; write it like "
                    + "metrics_retention: 30d (days) or 72h (hours), or delete the line to keep every scrape").formatted(file, value));
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("d") ? Duration.ofDays(n) : Duration.ofHours(n);
    }

    private static Set<String> names(Path file, Map<?, ?> map, String key, String what, Set<String> defaults) {
        Object value = map.get(key);
        if (value == null) {
            return defaults;
        }
        if (!(value instanceof List<?> list)) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: %s must be a list of %s, e.g. %s: [a, b]".formatted(file, key, what, key));
        }
        return Set.copyOf(list.stream().map(String::valueOf).toList());
    }

    private static URI prometheusUrl(Path file, Object value) {
        if (value == null) {
            return null;
        }
        try {
            URI uri = new URI(String.valueOf(value).strip());
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s: prometheus_url '%s' is not an http(s) URL; write it as "
                .formatted(file, value) + "prometheus_url: http://HOST:9090 or delete the line to scrape agents directly");
    }
}
