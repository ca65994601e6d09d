package io.fleetshell.engine.inventory;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.process.Leftovers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
 * snake_case and CamelCase forms of the agent's name.
 */
public final class ScriptResolver {

    private static final Set<String> SKIPPED_DIRECTORIES =
            Set.of("__pycache__", "node_modules", "venv", ".venv", "site-packages", ".git", ".tox");

    private static final String AMBIGUOUS = "set script_path to the right one";

    private final Path root;
    private final Path realRoot;
    private Map<String, List<Path>> filesByName;

    public ScriptResolver(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            this.realRoot = this.root.toRealPath();
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND,
                    "fleet root " + this.root + " does not exist; pass an existing directory with --root");
        }
        if (!Files.isDirectory(realRoot)) {
            throw new FleetshellException(ErrorCode.BAD_INPUT,
                    "fleet root " + this.root + " is not a directory; pass a directory with --root");
        }
    }

    public Path root() {
        return root;
    }

    /**
     * The nearest ancestor of the config file's directory under which at least one of the scripts
     * exists; failing that, the nearest under which the first directory of a script path exists
     * (the scripts moved, their tree did not); failing that, the config file's directory.
     */
    public static Path inferRoot(Path configFile, List<String> scriptPaths) {
        Path start = configFile.toAbsolutePath().normalize().getParent();
        List<Path> relative = scriptPaths.stream().map(Path::of).filter(p -> !p.isAbsolute()).toList();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            for (Path script : relative) {
                if (Files.isRegularFile(dir.resolve(script))) {
                    return dir;
                }
            }
        }
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            for (Path script : relative) {
                if (script.getNameCount() > 1 && !script.getName(0).toString().equals("..")
                        && Files.isDirectory(dir.resolve(script.getName(0)))) {
                    return dir;
                }
            }
        }
        return start;
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
        if (Files.exists(candidate)) {
            Path real = realPath(candidate);
            if (!real.startsWith(realRoot)) {
                throw escapes(scriptPath, real, configFile, line);
            }
            if (Files.isDirectory(candidate)) {
                return new ScriptResolution(ScriptResolution.Status.NOT_FOUND, null,
                        "at %s is a directory, not a script file: set script_path to the agent's file".formatted(relative(candidate)));
            }
            if (!Files.isRegularFile(candidate)) {
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
        if (!Files.isReadable(script)) {
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
                    .filter(Files::isRegularFile)
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
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                        boolean skip = !dir.equals(root) && (name.startsWith(".") || SKIPPED_DIRECTORIES.contains(name));
                        return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        // fleetshell's own hidden working files (a killed proof's sibling) are never taken for a script
                        if ((attrs.isRegularFile() || attrs.isSymbolicLink())
                                && !Leftovers.isHiddenSibling(file.getFileName().toString())) {
                            index.computeIfAbsent(file.getFileName().toString(), k -> new ArrayList<>()).add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            index.values().forEach(list -> list.sort(null));
            filesByName = index;
        }
        return filesByName;
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

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
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
