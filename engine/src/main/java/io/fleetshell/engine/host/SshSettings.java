package io.fleetshell.engine.host;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * Reads a machine's transport settings ({@code ssh:}, {@code port:}, {@code identity_file:}, {@code ssh_config:},
 * {@code options:}, {@code tunnel:}, {@code forks:}, {@code state_dir:}) from settings.yaml's {@code machines: NAME:}
 * or a config's {@code global_settings}, into an {@link SshAccess}. A wrong value is a {@link ErrorCode#CONFIG_INVALID}
 * error naming the file, the line, the key and a value that would do.
 */
public final class SshSettings {

    /** The keys this reads; a mapping may hold others (the caller checks those). */
    public static final List<String> KEYS = List.of("ssh", "port", "identity_file", "ssh_config", "options", "tunnel", "forks", "state_dir");
    private static final Pattern DESTINATION = Pattern.compile("[A-Za-z0-9_.%+\\-]+(@[A-Za-z0-9_.:\\[\\]\\-]+)?");
    private static final Pattern OPTION = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

    private SshSettings() {
    }

    /**
     * The machine's transport, or null when the mapping has no {@code ssh:} (the machine is this computer).
     *
     * @param prefix where the mapping is, for messages ({@code machines.pc2}, {@code global_settings})
     * @param line   the line of a key path below the prefix ({@code port}, {@code options.StrictHostKeyChecking}), 0 when unknown
     */
    public static SshAccess read(Path file, String prefix, Map<?, ?> settings, ToIntFunction<String> line) {
        Object destination = settings.get("ssh");
        if (destination == null) {
            KEYS.stream().filter(settings::containsKey).findFirst().ifPresent(key -> {
                throw invalid(file, line.applyAsInt(key), "%s.%s is set but %s.ssh is not; add ssh: user@host, or remove %s"
                        .formatted(prefix, key, prefix, key));
            });
            return null;
        }
        String target = String.valueOf(destination).strip();
        if (!DESTINATION.matcher(target).matches()) {
            throw invalid(file, line.applyAsInt("ssh"), ("%s.ssh '%s' is not an ssh destination; write user@host or a Host alias of your "
                    + "ssh config, e.g. ssh: deploy@10.0.0.12").formatted(prefix, destination));
        }
        Integer port = settings.get("port") == null ? null : number(file, line.applyAsInt("port"), prefix + ".port", settings.get("port"), 1, 65_535,
                "port: 22");
        int forks = settings.get("forks") == null ? SshAccess.DEFAULT_FORKS
                : number(file, line.applyAsInt("forks"), prefix + ".forks", settings.get("forks"), 1, 1_000, "forks: 10");
        Object tunnel = settings.get("tunnel");
        if (tunnel != null && !(tunnel instanceof Boolean)) {
            throw invalid(file, line.applyAsInt("tunnel"), "%s.tunnel '%s' is not true or false; write tunnel: true to reach the agents' ports "
                    .formatted(prefix, tunnel) + "through an SSH tunnel");
        }
        Map<String, String> options = new LinkedHashMap<>();
        Object raw = settings.get("options");
        if (raw != null) {
            if (!(raw instanceof Map<?, ?> map)) {
                throw invalid(file, line.applyAsInt("options"), "%s.options must map ssh option names to values, e.g. options: {StrictHostKeyChecking: accept-new}"
                        .formatted(prefix));
            }
            map.forEach((key, value) -> {
                String name = String.valueOf(key);
                String text = value instanceof Boolean b ? (b ? "yes" : "no") : String.valueOf(value);
                if (!OPTION.matcher(name).matches() || value == null || text.isBlank() || text.contains("\n")) {
                    throw invalid(file, line.applyAsInt("options." + name), ("%s.options.%s: an ssh option is a name (letters and digits) "
                            + "with a one-line value, e.g. StrictHostKeyChecking: accept-new").formatted(prefix, name));
                }
                options.put(name, text);
            });
        }
        return new SshAccess(target, port, path(file, line.applyAsInt("identity_file"), prefix + ".identity_file", settings.get("identity_file")),
                path(file, line.applyAsInt("ssh_config"), prefix + ".ssh_config", settings.get("ssh_config")), options, Boolean.TRUE.equals(tunnel),
                forks, text(file, line.applyAsInt("state_dir"), prefix + ".state_dir", settings.get("state_dir")));
    }

    private static int number(Path file, int line, String key, Object value, int min, int max, String example) {
        if (value instanceof Integer n && n >= min && n <= max) {
            return n;
        }
        throw invalid(file, line, "%s '%s' is not a whole number from %d to %d; write it like %s".formatted(key, value, min, max, example));
    }

    /** A local path; {@code ~/} is the user's home. */
    private static Path path(Path file, int line, String key, Object value) {
        String text = text(file, line, key, value);
        if (text == null) {
            return null;
        }
        return text.startsWith("~/") ? Path.of(System.getProperty("user.home"), text.substring(2)) : Path.of(text);
    }

    private static String text(Path file, int line, String key, Object value) {
        if (value == null) {
            return null;
        }
        String text = String.valueOf(value).strip();
        if (text.isEmpty() || text.contains("\n") || text.contains("\0")) {
            throw invalid(file, line, "%s must be one line of text (a path); fix or remove it".formatted(key));
        }
        return text;
    }

    private static FleetshellException invalid(Path file, int line, String message) {
        return new FleetshellException(ErrorCode.CONFIG_INVALID, (line > 0 ? "%s:%d: %s" : "%s: %s").formatted(
                line > 0 ? new Object[]{file, line, message} : new Object[]{file, message}));
    }
}
