package io.fleetshell.engine.inventory;

import io.fleetshell.engine.host.SshAccess;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What this computer's settings.yaml says about one machine of the fleet ({@code machines: NAME:}), applied
 * when its configs load so that loads, proofs and starts all see it: environment variables that replace the
 * config's ({@code env:}), container paths mapped to directories of the fleet root ({@code path_map: {/app: .}},
 * targets relative to the fleet root), the interpreter ({@code python:}) and the Java launcher ({@code java:}).
 *
 * @param environment variables set for every agent of the machine, over the config's; {@code ${VAR}} and
 *                    {@code ${PWD}} (the fleet root) expand as in the config
 * @param pathMap     path prefix as the config writes it (a container path) to the directory it is on this
 *                    computer, relative to the fleet root or absolute; applied to every entry of path-like
 *                    environment values and to script paths
 * @param python      the interpreter to use instead of the config's, or null
 * @param ssh         how the machine is reached when it is not this computer ({@code ssh:} and the keys beside it),
 *                    over the config's; null: the config's, else this computer
 * @param root        the fleet root on the machine ({@code root:}), which the config's paths resolve against, or null
 * @param javaLauncher the {@code java} its Java agents are started and timed with ({@code java:}), over the config's
 *                    entries and {@code global_settings}; null: theirs, else {@code java} on the PATH of an ssh machine
 *                    and the JDK fleetshell runs on for this computer
 */
public record MachineOverride(Map<String, String> environment, Map<String, String> pathMap, String python, SshAccess ssh, Path root,
                              String javaLauncher) {

    public static final MachineOverride NONE = new MachineOverride(Map.of(), Map.of(), null);

    public MachineOverride(Map<String, String> environment, Map<String, String> pathMap, String python) {
        this(environment, pathMap, python, null, null, null);
    }

    /** Without a {@code java:} of its own. */
    public MachineOverride(Map<String, String> environment, Map<String, String> pathMap, String python, SshAccess ssh, Path root) {
        this(environment, pathMap, python, ssh, root, null);
    }
    private static final Pattern SEPARATOR = Pattern.compile(java.io.File.pathSeparator);

    public MachineOverride {
        environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        pathMap = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pathMap));
    }

    /** Every entry of a path list ({@code /app:/app/common}) with its mapped prefix replaced by the directory under {@code root}. */
    public String mapPathList(String value, Path root) {
        if (pathMap.isEmpty() || value == null) {
            return value;
        }
        List<String> out = new ArrayList<>();
        for (String entry : SEPARATOR.split(value, -1)) {
            out.add(mapped(entry).map(p -> root.resolve(p).normalize().toString()).orElse(entry));
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    /** A script path with its mapped prefix replaced: relative to the fleet root when the target is. */
    public String mapScriptPath(String scriptPath) {
        return mapped(scriptPath).orElse(scriptPath);
    }

    /** The path with the longest matching prefix replaced by its target, or empty when no prefix matches. */
    private java.util.Optional<String> mapped(String path) {
        return pathMap.entrySet().stream()
                .filter(e -> path.equals(e.getKey()) || path.startsWith(trimmed(e.getKey()) + "/"))
                .max(Comparator.comparingInt(e -> e.getKey().length()))
                .map(e -> {
                    String rest = path.substring(trimmed(e.getKey()).length()).replaceFirst("^/", "");
                    Path target = Path.of(e.getValue());
                    return (rest.isEmpty() ? target : target.resolve(rest)).normalize().toString();
                })
                .map(p -> p.isEmpty() ? "." : p);
    }

    private static String trimmed(String prefix) {
        return prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }
}
