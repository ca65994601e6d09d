package io.fleetshell.engine.playbook;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.NameSuggestions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where playbooks are found: {@code scripts/} (the shipped ones, relative to the working directory)
 * and {@code FLEETSHELL_HOME/playbooks} (the user's own). A playbook is named by its path, or by its
 * file name with or without {@code .js} when it lives in one of these directories.
 */
public record PlaybookLibrary(List<Path> directories) {

    /** A playbook file found in a directory: read, or the reason it could not be. */
    public record Entry(Path file, Playbook playbook, String error) {
    }

    public PlaybookLibrary {
        directories = List.copyOf(directories);
    }

    /** Every {@code *.js} file in the directories, in directory order, then by name. */
    public List<Entry> list() {
        List<Entry> entries = new ArrayList<>();
        for (Path dir : directories) {
            for (Path file : files(dir)) {
                try {
                    entries.add(new Entry(file, Playbook.read(file), null));
                } catch (FleetshellException e) {
                    entries.add(new Entry(file, null, e.getMessage()));
                }
            }
        }
        return entries;
    }

    /** The file {@code typed} names: an existing path, else a playbook of that name in the directories. */
    public Path resolve(String typed) {
        Path path = Path.of(typed);
        if (Files.exists(path) || typed.contains("/")) {
            return path;
        }
        for (Path dir : directories) {
            for (String name : List.of(typed, typed + ".js")) {
                if (Files.isRegularFile(dir.resolve(name))) {
                    return dir.resolve(name);
                }
            }
        }
        List<String> known = directories.stream().flatMap(d -> files(d).stream())
                .map(f -> f.getFileName().toString().replaceFirst("\\.js$", "")).distinct().toList();
        List<String> close = NameSuggestions.closest(typed.replaceFirst("\\.js$", ""), known, 3);
        throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "no playbook %s: no such file, and none of that name in %s%s".formatted(
                typed, String.join(" or ", directories.stream().map(Path::toString).toList()),
                close.isEmpty() ? " (playbook list shows the known ones)" : "; did you mean " + String.join(", ", close) + "?"));
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".js") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
