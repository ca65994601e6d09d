package io.fleetshell.engine.inventory;

import io.fleetshell.engine.host.FileStat;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.process.Leftovers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves agents' script paths against a fleet root and keeps them inside it. A path that leads out
 * of the root, by {@code ..}, as an absolute path elsewhere or through a symlink, is refused. A
 * script missing at its path is searched for under the root by its file name and by the
 * snake_case and CamelCase forms of the agent's name. Every look at a file goes through the machine's
 * {@link Host}, so a remote fleet root is examined on its host (its real paths resolved there).
 */
public final class ScriptResolver {

    private static final Set<String> SKIPPED_DIRECTORIES =
            Set.of("__pycache__", "node_modules", "venv", ".venv", "site-packages", ".git", ".tox");

    private static final String AMBIGUOUS = "set script_path to the right one";

    private final Path root;
    private final Path realRoot;
    private final Host host;
    private Map<String, List<Path>> filesByName;
    /** What {@link #prefetch} found, so that resolving many scripts on a remote host costs one round trip. */
    private final Map<Path, java.util.Optional<Host.Found>> seen = new HashMap<>();

    public ScriptResolver(Path root) {
        this(root, new LocalHost("local", root));
    }

    /** Resolves against {@code root} on {@code host}. */
    public ScriptResolver(Path root, Host host) {
        this.host = host;
        this.root = root.toAbsolutePath().normalize();
        String on = host.onMachine();
        try {
            this.realRoot = host.realPath(this.root);
            if (host.stat(realRoot).map(FileStat::type).orElse(null) != FileStat.Type.DIRECTORY) {
                throw new FleetshellException(ErrorCode.BAD_INPUT,
                        "fleet root " + this.root + on + " is not a directory; pass a directory with --root");
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "fleet root " + this.root + on + " does not exist; pass an existing directory with --root"
                    + (on.isEmpty() ? "" : " or set machines.%s.root in settings.yaml".formatted(host.name())));
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot examine the fleet root " + this.root + on + ": " + e.getMessage());
        }
    }

    public Path root() {
        return root;
    }

    /**
     * Looks at the paths the scripts are expected at, all at once, before {@link #resolve} asks about them one by
     * one: on a remote host one round trip instead of several per agent.
     */
    public void prefetch(List<String> scriptPaths) {
        List<Path> paths = scriptPaths.stream().map(p -> root.resolve(p).normalize()).filter(p -> p.startsWith(root)).distinct().toList();
        try {
            seen.putAll(host.statAll(paths));
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot look at the scripts under %s on %s: %s".formatted(root, host.name(), e.getMessage()));
        }
    }

    /** Why fleetshell cannot read a script it found, or empty when it can, from what {@link #prefetch} saw when it did. */
    public java.util.Optional<String> unreadableScript(Path script) {
        java.util.Optional<Host.Found> found = seen.get(script);
        if (found != null && found.isPresent() && found.get().readable()) {
            return java.util.Optional.empty();
        }
        return unreadable(script, host);
    }

    /**
     * The nearest ancestor of the config file's directory under which at least one of the scripts
     * exists; failing that, the nearest under which the first directory of a script path exists
     * (the scripts moved, their tree did not); failing that, the config file's directory.
     */
    public static Path inferRoot(Path configFile, List<String> scriptPaths) {
        return inferRoot(configFile, scriptPaths, new LocalHost("local", configFile));
    }

    /** {@link #inferRoot(Path, List)} with the config and the scripts on {@code host}, looked at in one round trip. */
    public static Path inferRoot(Path configFile, List<String> scriptPaths, Host host) {
        Path start = configFile.toAbsolutePath().normalize().getParent();
        List<Path> relative = scriptPaths.stream().map(Path::of).filter(p -> !p.isAbsolute()).toList();
        List<Path> candidates = new ArrayList<>();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            for (Path script : relative) {
                candidates.add(dir.resolve(script).normalize());
                if (script.getNameCount() > 1 && !script.getName(0).toString().equals("..")) {
                    candidates.add(dir.resolve(script.getName(0)).normalize());
                }
            }
        }
        Map<Path, java.util.Optional<Host.Found>> found;
        try {
            found = host.statAll(new java.util.LinkedHashSet<>(candidates));
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot look for the fleet root of %s on %s: %s".formatted(configFile,
                    host.name(), e.getMessage()));
        }
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            for (Path script : relative) {
                if (is(found, dir.resolve(script).normalize(), FileStat.Type.REGULAR)) {
                    return dir;
                }
            }
        }
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            for (Path script : relative) {
                if (script.getNameCount() > 1 && !script.getName(0).toString().equals("..")
                        && is(found, dir.resolve(script.getName(0)).normalize(), FileStat.Type.DIRECTORY)) {
                    return dir;
                }
            }
        }
        return start;
    }

    /** Whether the path is of the type; a symlink counts, its target is checked when the script is resolved. */
    private static boolean is(Map<Path, java.util.Optional<Host.Found>> found, Path path, FileStat.Type type) {
        return found.getOrDefault(path, java.util.Optional.empty()).map(f -> f.stat().type() == type || f.stat().type() == FileStat.Type.SYMLINK)
                .orElse(false);
    }

    /**
     * Where the script of this agent is.
     *
     * @throws FleetshellException {@link ErrorCode#PATH_ESCAPES_ROOT} when the path leads out of the root
     */
    public ScriptResolution resolve(String scriptPath, String agentName, Path configFile, int line) {
        Path candidate = root.resolve(scriptPath).normalize();
        if (!candidate.startsWith(root)) {
            throw escapes(scriptPath, candidate, configFile, line);
        }
        java.util.Optional<FileStat> there = look(candidate);
        if (there.isPresent()) {
            Path real = realPath(candidate);
            if (!real.startsWith(realRoot)) {
                throw escapes(scriptPath, real, configFile, line);
            }
            FileStat.Type type = there.get().type() == FileStat.Type.SYMLINK ? look(real).map(FileStat::type).orElse(FileStat.Type.OTHER) : there.get().type();
            if (type == FileStat.Type.DIRECTORY) {
                return new ScriptResolution(ScriptResolution.Status.NOT_FOUND, null,
                        "at %s is a directory, not a script file: set script_path to the agent's file".formatted(relative(candidate)));
            }
            if (type != FileStat.Type.REGULAR) {
                return new ScriptResolution(ScriptResolution.Status.NOT_FOUND, null,
                        "at %s is not a regular file (a device, socket or FIFO): set script_path to the agent's file".formatted(relative(candidate)));
            }
            return new ScriptResolution(ScriptResolution.Status.FOUND, candidate, "at " + relative(candidate));
        }
        ScriptResolution found = search(scriptPath, agentName);
        if (found.status() == ScriptResolution.Status.NOT_FOUND && found.detail().contains(AMBIGUOUS)) {
            // Guessing between two files could optimize the wrong one: the config must say which.
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, "%s:%d: script of %s %s. Nothing was loaded from this file."
                    .formatted(configFile, line, agentName, found.detail()));
        }
        return found;
    }

    /**
     * Why fleetshell cannot read a script it found, or empty when it can: a load warns about it at once, where a
     * profile or proof would only fail later with "cannot read".
     */
    public static java.util.Optional<String> unreadable(Path script) {
        return unreadable(script, new LocalHost("local", script));
    }

    /** {@link #unreadable(Path)} of a script on {@code host}, for its user there. */
    public static java.util.Optional<String> unreadable(Path script, Host host) {
        boolean readable;
        try {
            readable = host.statAll(List.of(script)).get(script).map(Host.Found::readable).orElse(false);
        } catch (IOException e) {
            return java.util.Optional.of("at %s cannot be examined on %s: %s".formatted(script, host.name(), e.getMessage()));
        }
        if (!readable) {
            return java.util.Optional.of("at %s cannot be read: permission denied for fleetshell's user; make it readable (chmod a+r) or run fleetshell as its owner"
                    .formatted(script));
        }
        return java.util.Optional.empty();
    }

    private ScriptResolution search(String scriptPath, String agentName) {
        Set<String> names = new LinkedHashSet<>();
        names.add(Path.of(scriptPath).getFileName().toString());
        if (agentName != null) {
            names.add(snakeCase(agentName) + ".py");
            names.add(agentName + ".py");
            names.add(agentName.toLowerCase() + ".py");
        }
        for (String name : names) {
            List<Path> matches = index().getOrDefault(name, List.of()).stream()
                    .filter(p -> look(realPath(p)).map(FileStat::regular).orElse(false))
                    .filter(p -> realPath(p).startsWith(realRoot))
                    .toList();
            if (matches.size() == 1) {
                return new ScriptResolution(ScriptResolution.Status.FOUND_ELSEWHERE, matches.getFirst(),
                        "not at %s; found at %s by the name %s".formatted(scriptPath, relative(matches.getFirst()), name));
            }
            if (matches.size() > 1) {
                return new ScriptResolution(ScriptResolution.Status.NOT_FOUND, null,
                        ("not at %s; %d files named %s under the fleet root (%s): " + AMBIGUOUS)
                                .formatted(scriptPath, matches.size(), name,
                                        String.join(", ", matches.stream().map(this::relative).toList())));
            }
        }
        return new ScriptResolution(ScriptResolution.Status.NOT_FOUND, null,
                "not found: no %s under %s, and no file named %s anywhere below it"
                        .formatted(scriptPath, root, String.join(" or ", names)));
    }

    private Map<String, List<Path>> index() {
        if (filesByName == null) {
            Map<String, List<Path>> index = new HashMap<>();
            try {
                for (Path file : host.files(root, SKIPPED_DIRECTORIES)) {
                    // fleetshell's own hidden working files (a killed proof's sibling) are never taken for a script
                    if (!Leftovers.isHiddenSibling(file.getFileName().toString())) {
                        index.computeIfAbsent(file.getFileName().toString(), k -> new ArrayList<>()).add(file);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            index.values().forEach(list -> list.sort(null));
            filesByName = index;
        }
        return filesByName;
    }

    private java.util.Optional<FileStat> look(Path path) {
        java.util.Optional<Host.Found> found = seen.get(path);
        if (found != null) {
            return found.map(Host.Found::stat);
        }
        try {
            return host.stat(path);
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot examine %s on %s: %s".formatted(path, host.name(), e.getMessage()));
        }
    }

    /** {@code TutorAgent} to {@code tutor_agent}; {@code HTTPGateway} to {@code http_gateway}. */
    static String snakeCase(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2")
                .replaceAll("([A-Z]+)([A-Z][a-z])", "$1_$2")
                .toLowerCase();
    }

    private String relative(Path path) {
        return root.relativize(path).toString();
    }

    private Path realPath(Path path) {
        java.util.Optional<Host.Found> found = seen.get(path);
        if (found != null && found.isPresent()) {
            return found.get().real() == null ? path : found.get().real();
        }
        try {
            return host.realPath(path);
        } catch (IOException e) {
            return path; // a dangling symlink: not followed, so not out of the root either
        }
    }

    private FleetshellException escapes(String scriptPath, Path target, Path configFile, int line) {
        return new FleetshellException(ErrorCode.PATH_ESCAPES_ROOT,
                ("%s:%d: script_path %s leads to %s, outside the fleet root %s. fleetshell only reads and writes "
                        + "inside its fleet roots: fix script_path, or pass the right directory with --root. "
                        + "Nothing was loaded from this file.").formatted(configFile, line, scriptPath, target, root));
    }
}
