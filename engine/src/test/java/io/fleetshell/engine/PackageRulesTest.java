package io.fleetshell.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's module and package rules, read from its sources: no Spring, JLine or java.sql in the engine, and
 * no cycle between its packages (a reference to {@code io.fleetshell.engine.x.Type}, imported or written out,
 * is a dependency of the referring package on {@code x}).
 */
class PackageRulesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/fleetshell/engine");
    private static final java.util.regex.Pattern PACKAGE = java.util.regex.Pattern.compile("(?m)^package ([\\w.]+);");
    private static final java.util.regex.Pattern REFERENCE = java.util.regex.Pattern.compile("\\bio\\.fleetshell\\.engine((?:\\.[a-z]\\w*)*)\\.[A-Z]");

    @Test
    void theEngineUsesNoSpringNoTerminalAndNoSql() {
        Map<Path, String> sources = sources();
        List<String> offending = new ArrayList<>();
        sources.forEach((file, text) -> {
            for (String forbidden : List.of("org.springframework", "org.jline", "java.sql")) {
                if (text.contains("import " + forbidden)) {
                    offending.add(SOURCES.relativize(file) + " imports " + forbidden);
                }
            }
        });
        assertThat(offending).isEmpty();
    }

    @Test
    void theEnginesPackagesHaveNoCycle() {
        Map<String, Set<String>> dependencies = new TreeMap<>();
        sources().values().forEach(text -> {
            Matcher declared = PACKAGE.matcher(text);
            if (!declared.find()) {
                return;
            }
            String from = declared.group(1);
            Set<String> to = dependencies.computeIfAbsent(from, p -> new TreeSet<>());
            Matcher reference = REFERENCE.matcher(text);
            while (reference.find()) {
                String target = "io.fleetshell.engine" + reference.group(1);
                if (!target.equals(from)) {
                    to.add(target);
                }
            }
        });
        assertThat(cycles(dependencies)).as("packages that depend on each other, round a cycle").isEmpty();
    }

    /** The strongly connected components of more than one package (Tarjan). */
    private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> cycles = new ArrayList<>();
        for (String node : graph.keySet()) {
            if (!index.containsKey(node)) {
                connect(node, graph, index, low, stack, onStack, cycles);
            }
        }
        return cycles;
    }

    private static void connect(String node, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<Set<String>> cycles) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, onStack, cycles);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                cycles.add(component);
            }
        }
    }

    private static Map<Path, String> sources() {
        Map<Path, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                sources.put(file, Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(sources).as("the engine's sources under " + SOURCES.toAbsolutePath()).isNotEmpty();
        return sources;
    }
}
