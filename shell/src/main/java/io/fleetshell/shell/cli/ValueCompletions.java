package io.fleetshell.shell.cli;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.pattern.Patterns;
import io.fleetshell.shell.ShellSession;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The values TAB proposes: agent names (plain, or {@code machine/name} where a name is on two
 * machines), machine names, and file system paths. Option values are chosen by option name.
 */
@Component
public class ValueCompletions {

    /** A proposed value; {@code complete} is false for a directory, so TAB can go on into it. */
    public record Value(String text, String description, boolean complete) {
    }

    private final ShellSession session;

    public ValueCompletions(ShellSession session) {
        this.session = session;
    }

    public List<Value> forOption(String option, String typed) {
        return switch (option) {
            case "agent", "agents" -> agents(typed);
            case "machine" -> machines(typed);
            case "pattern" -> patterns(typed);
            case "root", "file", "dir", "from" -> paths(typed);
            default -> List.of();
        };
    }

    public List<Value> agents(String typed) {
        Inventory inventory = inventory();
        Map<String, Long> count = inventory.agents().stream()
                .collect(java.util.stream.Collectors.groupingBy(Agent::name, java.util.stream.Collectors.counting()));
        return inventory.agents().stream()
                .flatMap(a -> count.get(a.name()) > 1
                        ? Stream.of(a.id().toString())
                        : Stream.of(a.name()))
                .distinct()
                .filter(name -> name.startsWith(typed))
                .map(name -> new Value(name, null, true))
                .toList();
    }

    public List<Value> machines(String typed) {
        return inventory().machines().stream().map(Machine::name)
                .filter(name -> name.startsWith(typed))
                .map(name -> new Value(name, null, true))
                .toList();
    }

    /** Optimization patterns by id, each with its display name. */
    public List<Value> patterns(String typed) {
        return Patterns.all().stream().filter(p -> p.id().startsWith(typed))
                .map(p -> new Value(p.id(), p.displayName(), true)).toList();
    }

    public List<Value> paths(String typed) {
        String expanded = typed.startsWith("~/") ? System.getProperty("user.home") + typed.substring(1) : typed;
        int slash = expanded.lastIndexOf('/');
        String dirPart = slash >= 0 ? expanded.substring(0, slash + 1) : "";
        String namePart = slash >= 0 ? expanded.substring(slash + 1) : expanded;
        Path dir = dirPart.isEmpty() ? Path.of("") : Path.of(dirPart);
        String shownDir = slash >= 0 ? typed.substring(0, typed.lastIndexOf('/') + 1) : "";
        try (Stream<Path> entries = Files.list(dir.toString().isEmpty() ? Path.of(".") : dir)) {
            return entries
                    .filter(p -> p.getFileName().toString().startsWith(namePart))
                    .filter(p -> namePart.startsWith(".") || !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .map(p -> Files.isDirectory(p)
                            ? new Value(shownDir + p.getFileName() + "/", null, false)
                            : new Value(shownDir + p.getFileName(), null, true))
                    .toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private Inventory inventory() {
        try {
            return session.inventoryStore().inventory();
        } catch (RuntimeException e) {
            return Inventory.empty(); // completion must never break the line being typed
        }
    }
}
