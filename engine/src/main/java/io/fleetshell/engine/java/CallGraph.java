package io.fleetshell.engine.java;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.BodyDeclaration;
import com.github.javaparser.ast.body.ConstructorDeclaration;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.InitializerDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.body.VariableDeclarator;
import com.github.javaparser.ast.expr.LambdaExpr;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.ObjectCreationExpr;
import com.github.javaparser.ast.stmt.LocalClassDeclarationStmt;
import io.fleetshell.engine.java.HeavyInitializer.Phase;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * When each piece of a file's code runs, as far as one file can tell. Calls are matched to the
 * file's own methods by name only (any receiver, every overload), so the phases err towards
 * "earlier": a rewrite never defers something that runs at start-up, at worst it skips a chance.
 * Regions are method bodies, constructors, initializer blocks and field initializers.
 */
final class CallGraph {

    private final Map<String, List<MethodDeclaration>> methods = new HashMap<>();
    private final Map<String, List<TypeDeclaration<?>>> types = new HashMap<>();
    private final Set<Node> classInit;
    private final Set<Node> construction;
    private final Set<Node> startUp;

    CallGraph(CompilationUnit unit) {
        unit.findAll(MethodDeclaration.class).forEach(m -> methods.computeIfAbsent(m.getNameAsString(), k -> new ArrayList<>()).add(m));
        unit.findAll(TypeDeclaration.class).forEach(t -> types.computeIfAbsent(t.getNameAsString(), k -> new ArrayList<>()).add(t));
        List<Node> staticRoots = new ArrayList<>();
        List<Node> instanceRoots = new ArrayList<>();
        for (TypeDeclaration<?> type : unit.findAll(TypeDeclaration.class)) {
            for (BodyDeclaration<?> member : type.getMembers()) {
                if (member instanceof InitializerDeclaration init) {
                    (init.isStatic() ? staticRoots : instanceRoots).add(init);
                } else if (member instanceof FieldDeclaration field) {
                    field.getVariables().stream().filter(v -> v.getInitializer().isPresent())
                            .forEach(v -> (field.isStatic() || JavaAnalyzer.isInterface(type) ? staticRoots : instanceRoots).add(v));
                } else if (member instanceof ConstructorDeclaration ctor) {
                    instanceRoots.add(ctor);
                }
            }
        }
        classInit = reachable(staticRoots, true);
        construction = reachable(instanceRoots, false);
        List<Node> mains = new ArrayList<>(methods.getOrDefault("main", List.of()).stream()
                .filter(m -> m.isStatic() || m.getParameters().isEmpty()).map(m -> (Node) m).toList());
        startUp = reachable(mains, false);
    }

    /** The region a node is in: the member whose code contains it. */
    static Optional<Node> region(Node node) {
        for (Node at = node; at != null; at = at.getParentNode().orElse(null)) {
            if (at instanceof MethodDeclaration || at instanceof ConstructorDeclaration || at instanceof InitializerDeclaration
                    || (at instanceof VariableDeclarator v && v.getParentNode().orElse(null) instanceof FieldDeclaration)) {
                return Optional.of(at);
            }
        }
        return Optional.empty();
    }

    /** Whether the node sits in a lambda, anonymous class or local class within its region: code that runs later, if ever. */
    static boolean deferredWithinRegion(Node node, Node region) {
        for (Node at = node.getParentNode().orElse(null); at != null && at != region; at = at.getParentNode().orElse(null)) {
            if (at instanceof LambdaExpr || at instanceof LocalClassDeclarationStmt
                    || (at instanceof ObjectCreationExpr creation && creation.getAnonymousClassBody().isPresent())) {
                return true;
            }
        }
        return false;
    }

    /** The phase a node runs in, earliest first. */
    Phase phase(Node node) {
        Node region = region(node).orElse(null);
        if (region == null) {
            return Phase.RUNTIME;
        }
        if (classInit.contains(region)) {
            return Phase.CLASS_INIT;
        }
        if (deferredWithinRegion(node, region)) {
            return Phase.RUNTIME;
        }
        if (construction.contains(region)) {
            return Phase.CONSTRUCTION;
        }
        return startUp.contains(region) ? Phase.START_UP : Phase.RUNTIME;
    }

    /** Whether the region (a constructor, say) also runs on the way to healthy. */
    boolean runsAtStartUp(Node node) {
        return region(node).map(startUp::contains).orElse(false);
    }

    /** The file's methods of that name (every overload). */
    List<MethodDeclaration> methods(String name) {
        return methods.getOrDefault(name, List.of());
    }

    /** A readable name for a region: the method's name, {@code static initializer}, {@code Agent()}... */
    static String describe(Node region) {
        return switch (region) {
            case MethodDeclaration m -> m.getNameAsString();
            case ConstructorDeclaration c -> c.getNameAsString() + "()";
            case InitializerDeclaration i -> i.isStatic() ? "static initializer" : "instance initializer";
            case VariableDeclarator v -> "initializer of " + v.getNameAsString();
            default -> region.getClass().getSimpleName();
        };
    }

    /** The regions reachable from the roots, the roots included. */
    private Set<Node> reachable(List<Node> roots, boolean intoDeferred) {
        Set<Node> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Node> work = new ArrayDeque<>(roots);
        while (!work.isEmpty()) {
            Node region = work.pop();
            if (!seen.add(region)) {
                continue;
            }
            for (MethodCallExpr call : region.findAll(MethodCallExpr.class)) {
                if (intoDeferred || !deferredWithinRegion(call, region)) {
                    work.addAll(methods.getOrDefault(call.getNameAsString(), List.of()));
                }
            }
            for (ObjectCreationExpr creation : region.findAll(ObjectCreationExpr.class)) {
                if (intoDeferred || !deferredWithinRegion(creation, region)) {
                    types.getOrDefault(creation.getType().getNameAsString(), List.of()).forEach(t -> work.addAll(instanceRegions(t)));
                }
            }
        }
        return seen;
    }

    private static List<Node> instanceRegions(TypeDeclaration<?> type) {
        List<Node> regions = new ArrayList<>();
        for (BodyDeclaration<?> member : type.getMembers()) {
            if (member instanceof ConstructorDeclaration || (member instanceof InitializerDeclaration i && !i.isStatic())) {
                regions.add(member);
            } else if (member instanceof FieldDeclaration field && !field.isStatic()) {
                field.getVariables().stream().filter(v -> v.getInitializer().isPresent()).forEach(regions::add);
            }
        }
        return regions;
    }
}
