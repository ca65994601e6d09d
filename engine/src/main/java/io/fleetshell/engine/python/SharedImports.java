package io.fleetshell.engine.python;

import io.fleetshell.engine.profile.ImportTree;
import io.fleetshell.engine.profile.LoadSample;

import java.util.ArrayList;
import java.util.HashMap;
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

    /**
     * Milliseconds of one sample's deferred statements that later eager statements would pay anyway.
     *
     * @param deferred lines of the statements to defer
     * @param eager    lines of the statements that stay eager
     */
    static double sharedMillis(LoadSample sample, Set<Integer> deferred, Set<Integer> eager) {
        Map<Integer, List<ImportTree.Node>> rootsByLine = ImportTree.byStatement(sample);
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

    private static void collect(ImportTree.Node node, Map<String, Long> closure) {
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
