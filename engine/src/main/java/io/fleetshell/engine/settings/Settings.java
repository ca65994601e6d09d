package io.fleetshell.engine.settings;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.python.analysis.PythonFacts;
import io.fleetshell.engine.compare.Thresholds;
import io.fleetshell.engine.inventory.InventoryLoader;
import io.fleetshell.engine.inventory.MachineOverride;
import io.fleetshell.engine.host.SshAccess;
import io.fleetshell.engine.host.SshSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
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
 *                             NAME: {env:, path_map:, python:, java:, root:, ssh:, port:, identity_file:, ssh_config:, options:,
 *                             tunnel:, forks:, state_dir:}}), applied when they load
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
        String text;
        try {
            text = Files.readString(file);
            root = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(text);
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
                machines(file, map.get("machines"), lines(file, text)), retention(file, map.get("metrics_retention")));
    }

    private static Map<String, MachineOverride> machines(Path file, Object value, Map<String, Integer> lines) {
        if (value == null) {
            return Map.of();
        }
        String example = "machines: {pc2: {ssh: deploy@10.0.0.12, root: /srv/fleet, python: /srv/venv/bin/python3}}";
        if (!(value instanceof Map<?, ?> byName)) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s:%d: machines must map machine names to settings, e.g. %s"
                    .formatted(file, lines.getOrDefault("machines", 1), example));
        }
        List<String> keys = new java.util.ArrayList<>(List.of("env", "path_map", "python", "root"));
        keys.addAll(SshSettings.KEYS);
        keys.add("java");
        Map<String, MachineOverride> out = new java.util.LinkedHashMap<>();
        byName.forEach((name, raw) -> {
            String prefix = "machines." + name;
            if (!(raw instanceof Map<?, ?> m)) {
                throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s:%d: %s must be a mapping with %s, e.g. %s"
                        .formatted(file, lines.getOrDefault(prefix, 1), prefix, String.join(":, ", keys) + ":", example));
            }
            for (Object key : m.keySet()) {
                if (!keys.contains(String.valueOf(key))) {
                    throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s:%d: %s.%s is not a setting; a machine takes %s"
                            .formatted(file, lines.getOrDefault(prefix + "." + key, 1), prefix, key, String.join(":, ", keys) + ":"));
                }
            }
            Map<String, String> pathMap = strings(file, prefix + ".path_map", m.get("path_map"));
            pathMap.keySet().stream().filter(k -> !k.startsWith("/")).findFirst().ifPresent(k -> {
                throw new FleetshellException(ErrorCode.CONFIG_INVALID, ("%s: %s.path_map key '%s' is not an absolute path; map the path "
                        + "the config writes (/app) to a directory of the fleet root (.)").formatted(file, prefix, k));
            });
            Object python = m.get("python");
            Object java = m.get("java");
            SshAccess ssh = SshSettings.read(file, prefix, m, key -> lines.getOrDefault(prefix + "." + key, 0));
            Object root = m.get("root");
            if (root != null && !String.valueOf(root).startsWith("/")) {
                throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s:%d: %s.root '%s' is not an absolute path; write the fleet root on that machine, e.g. root: /srv/fleet"
                        .formatted(file, lines.getOrDefault(prefix + ".root", 1), prefix, root));
            }
            out.put(String.valueOf(name), new MachineOverride(strings(file, prefix + ".env", m.get("env")), pathMap,
                    python == null || String.valueOf(python).isBlank() ? null : String.valueOf(python), ssh,
                    root == null ? null : Path.of(String.valueOf(root)).normalize(),
                    java == null || String.valueOf(java).isBlank() ? null : String.valueOf(java)));
        });
        return out;
    }

    /** The line of every key, by its dotted path ({@code machines.pc2.port}); the text already parsed, so no error here. */
    private static Map<String, Integer> lines(Path file, String text) {
        Map<String, Integer> lines = new java.util.HashMap<>();
        try {
            new Compose(LoadSettings.builder().setLabel(file.toString()).build()).composeString(text).ifPresent(node -> lines("", node, lines));
        } catch (YamlEngineException e) {
            // Parsed above already; a message without its line is the worst case.
        }
        return lines;
    }

    private static void lines(String prefix, Node node, Map<String, Integer> lines) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key) {
                    String path = prefix.isEmpty() ? key.getValue() : prefix + "." + key.getValue();
                    key.getStartMark().ifPresent(mark -> lines.put(path, mark.getLine() + 1));
                    lines(path, tuple.getValueNode(), lines);
                }
            }
        }
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
