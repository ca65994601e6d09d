package io.fleetshell.engine.score;

import io.fleetshell.engine.profile.ImportTiming;
import io.fleetshell.engine.profile.LoadSample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deferring an import gains nothing for the modules an eager import loads anyway (LAZY_IMPORTS.md:
 * "verify the effect on the whole import closure"). From one sample's {@code -X importtime} tree, this
 * finds, for each deferred statement, the modules in its closure that a later eager statement asks for,
 * and how much of the deferred statement's measured time they account for.
 */
final class SharedImports {

    private SharedImports() {
    }

    /** One module of the -X importtime tree with what it imported. */
    private record Node(String module, long cumulativeMicros, List<Node> children) {
    }

    /**
     * Milliseconds of one sample's deferred statements that later eager statements would pay anyway.
     *
     * @param deferred lines of the statements to defer
     * @param eager    lines of the statements that stay eager
     */
    static double sharedMillis(LoadSample sample, Set<Integer> deferred, Set<Integer> eager) {
        Map<Integer, List<Node>> rootsByLine = rootsByStatement(sample);
        double shared = 0;
        java.util.Set<String> counted = new java.util.HashSet<>();
        List<LoadSample.StatementCost> statements = sample.statements();
        for (int i = 0; i < statements.size(); i++) {
            LoadSample.StatementCost d = statements.get(i);
            if (!deferred.contains(d.line())) {
                continue;
            }
            Map<String, Long> closure = new HashMap<>();
            rootsByLine.getOrDefault(d.line(), List.of()).forEach(root -> collect(root, closure));
            for (LoadSample.StatementCost later : statements.subList(i + 1, statements.size())) {
                if (!eager.contains(later.line())) {
                    continue;
                }
                for (String module : withParents(later.module())) {
                    Long micros = closure.get(module);
                    if (micros != null && counted.add(module)) {
                        shared += micros / 1000.0;
                    }
                }
            }
        }
        return shared;
    }

    /** The depth-0 modules of the sample's importtime tree, each given to the statement that imported it. */
    private static Map<Integer, List<Node>> rootsByStatement(LoadSample sample) {
        List<Node> roots = roots(sample.imports());
        Map<Integer, List<Node>> byLine = new LinkedHashMap<>();
        List<LoadSample.StatementCost> statements = sample.statements();
        int next = 0;
        for (Node root : roots) {
            for (int i = next; i < statements.size(); i++) {
                String asked = statements.get(i).module();
                if (root.module().equals(asked) || root.module().startsWith(asked + ".")) {
                    byLine.computeIfAbsent(statements.get(i).line(), l -> new ArrayList<>()).add(root);
                    next = i;
                    break;
                }
            }
        }
        return byLine;
    }

    /** -X importtime prints children before their parent, one indent deeper. */
    private static List<Node> roots(List<ImportTiming> lines) {
        Map<Integer, List<Node>> pending = new HashMap<>();
        for (ImportTiming line : lines) {
            List<Node> children = pending.remove(line.depth() + 1);
            pending.computeIfAbsent(line.depth(), d -> new ArrayList<>())
                    .add(new Node(line.module(), line.cumulativeMicros(), children == null ? List.of() : children));
        }
        return pending.getOrDefault(0, List.of());
    }

    private static void collect(Node node, Map<String, Long> closure) {
        closure.putIfAbsent(node.module(), node.cumulativeMicros());
        node.children().forEach(child -> collect(child, closure));
    }

    /** {@code a.b.c}, {@code a.b}, {@code a}: importing a module imports its parents. */
    private static List<String> withParents(String module) {
        List<String> names = new ArrayList<>();
        for (String m = module; !m.isEmpty(); m = m.contains(".") ? m.substring(0, m.lastIndexOf('.')) : "") {
            names.add(m);
        }
        return names;
    }
}
