package io.fleetshell.engine.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tree of one sample's {@code -X importtime} lines, and which of the agent's own import statements
 * each top-level module belongs to. CPython prints children before their parent, one indent deeper;
 * a statement's modules are the top-level ones printed while it ran, matched by name in order
 * ({@code from email import mime} yields {@code email} and {@code email.mime}).
 */
public final class ImportTree {

    private ImportTree() {
    }

    /** One module with its own time and what it imported. */
    public record Node(String module, long selfMicros, long cumulativeMicros, List<Node> children) {
    }

    public static List<Node> roots(List<ImportTiming> lines) {
        Map<Integer, List<Node>> pending = new HashMap<>();
        for (ImportTiming line : lines) {
            List<Node> children = pending.remove(line.depth() + 1);
            pending.computeIfAbsent(line.depth(), d -> new ArrayList<>())
                    .add(new Node(line.module(), line.selfMicros(), line.cumulativeMicros(), children == null ? List.of() : children));
        }
        return pending.getOrDefault(0, List.of());
    }

    /** The sample's top-level modules, each given to the statement (by line) that imported it. */
    public static Map<Integer, List<Node>> byStatement(LoadSample sample) {
        Map<Integer, List<Node>> byLine = new LinkedHashMap<>();
        List<LoadSample.StatementCost> statements = sample.statements();
        int next = 0;
        for (Node root : roots(sample.imports())) {
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
}
