package io.fleetshell.engine.java;

import com.github.javaparser.ParserConfiguration.LanguageLevel;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.ImportDeclaration;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.PackageDeclaration;
import com.github.javaparser.ast.body.BodyDeclaration;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.InitializerDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.body.VariableDeclarator;
import com.github.javaparser.ast.comments.JavadocComment;
import com.github.javaparser.ast.expr.ClassExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.FieldAccessExpr;
import com.github.javaparser.ast.expr.LambdaExpr;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.Name;
import com.github.javaparser.ast.expr.NameExpr;
import com.github.javaparser.ast.expr.ObjectCreationExpr;
import com.github.javaparser.ast.expr.SimpleName;
import com.github.javaparser.ast.stmt.DoStmt;
import com.github.javaparser.ast.stmt.ForEachStmt;
import com.github.javaparser.ast.stmt.ForStmt;
import com.github.javaparser.ast.stmt.Statement;
import com.github.javaparser.ast.stmt.WhileStmt;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.analysis.ParseError;
import io.fleetshell.engine.java.HeavyInitializer.FieldUse;
import io.fleetshell.engine.java.HeavyInitializer.HeavyCall;
import io.fleetshell.engine.java.HeavyInitializer.Kind;
import io.fleetshell.engine.java.HeavyInitializer.Phase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds, with JavaParser at an explicit language level, the heavy work a Java file does while its
 * classes initialize and its objects are built, who reads each heavy field and when, and its unused
 * imports. The blockers it records are what the patterns' {@code validate} reports.
 */
public final class JavaAnalyzer {

    private final HeavyCalls heavy;
    private final LanguageLevel level;

    public JavaAnalyzer(HeavyCalls heavy, LanguageLevel level) {
        this.heavy = heavy;
        this.level = level;
    }

    public JavaAnalyzer() {
        this(HeavyCalls.defaults(), JavaSource.DEFAULT_LEVEL);
    }

    public LanguageLevel level() {
        return level;
    }

    public JavaFacts analyze(Path file) {
        try {
            return analyze(file, SafeFiles.readScript(file));
        } catch (FleetshellException e) {
            return unreadable(file, e.getMessage());
        }
    }

    /** The facts of a file that could not be read (on its machine): why, as its error. */
    public JavaFacts unreadable(Path file, String why) {
        return JavaFacts.unparsed(file, null, new ParseError(ParseError.Kind.UNREADABLE, null, null, why), level.name());
    }

    public JavaFacts analyze(Path file, byte[] source) {
        String sha = Checksums.sha256(source);
        return switch (JavaSource.parse(source, level)) {
            case JavaSource.Failed failed -> JavaFacts.unparsed(file, sha, failed.error(), level.name());
            case JavaSource.Tree tree -> facts(file, sha, tree.unit());
        };
    }

    private JavaFacts facts(Path file, String sha, CompilationUnit unit) {
        CallGraph graph = new CallGraph(unit);
        List<HeavyInitializer> initializers = new ArrayList<>();
        for (TypeDeclaration<?> type : unit.findAll(TypeDeclaration.class)) {
            if (type.isTopLevelType() || type.getParentNode().orElse(null) instanceof TypeDeclaration<?>) {
                for (BodyDeclaration<?> member : type.getMembers()) {
                    if (member instanceof InitializerDeclaration block && block.isStatic()) {
                        List<HeavyCall> calls = heavyCalls(block.getBody(), graph, true);
                        if (!calls.isEmpty()) {
                            initializers.add(new HeavyInitializer(Kind.STATIC_BLOCK, ownerName(type), null, null,
                                    JavaSource.line(block), JavaSource.column(block), calls, List.of(),
                                    List.of("a static initializer block runs when the class loads; move its work into a field a pattern can hold lazily")));
                        }
                    } else if (member instanceof FieldDeclaration field) {
                        for (VariableDeclarator variable : field.getVariables()) {
                            variable.getInitializer().ifPresent(init -> {
                                List<HeavyCall> calls = heavyCalls(init, graph, false);
                                if (!calls.isEmpty()) {
                                    initializers.add(fieldInitializer(type, field, variable, calls, graph));
                                }
                            });
                        }
                    }
                }
            }
        }
        initializers.sort(java.util.Comparator.comparingInt(HeavyInitializer::line).thenComparingInt(HeavyInitializer::column));
        List<JavaFacts.JavaImport> imports = unit.getImports().stream()
                .map(i -> new JavaFacts.JavaImport(JavaSource.line(i), i.getNameAsString() + (i.isAsterisk() ? ".*" : ""), i.isStatic(), i.isAsterisk()))
                .toList();
        return new JavaFacts(file.toString(), sha, null, level.name(), mainClass(unit), imports, unusedImports(unit), initializers);
    }

    private HeavyInitializer fieldInitializer(TypeDeclaration<?> type, FieldDeclaration field, VariableDeclarator variable,
                                              List<HeavyCall> calls, CallGraph graph) {
        boolean isStatic = field.isStatic() || JavaAnalyzer.isInterface(type);
        String name = variable.getNameAsString();
        List<String> blockers = new ArrayList<>();
        if (JavaAnalyzer.isInterface(type) || type.isAnnotationDeclaration()) {
            blockers.add("it is declared in an interface, whose fields are public: other files may read it");
        } else if (!field.isPrivate()) {
            blockers.add(name + " is not private: code in other files may read it; make it private if nothing outside "
                    + type.getNameAsString() + " does");
        }
        if (field.getVariables().size() > 1) {
            blockers.add("its declaration (line %d) declares %d variables; give %s a declaration of its own"
                    .formatted(JavaSource.line(field), field.getVariables().size(), name));
        }
        if (!field.getAnnotations().isEmpty()) {
            blockers.add("it is annotated (%s): frameworks may read or set it by reflection".formatted(field.getAnnotation(0).getNameAsString()));
        }
        if (isHolder(type)) {
            blockers.add("it is already held lazily by " + type.getNameAsString());
        }
        if (!isStatic && isSerializable(type)) {
            blockers.add(type.getNameAsString() + " is Serializable: memoizing the field would change its serialized form");
        }
        if (isStatic && type.getParentNode().orElse(null) instanceof TypeDeclaration<?> outer && !type.isStatic() && !JavaAnalyzer.isInterface(outer)) {
            blockers.add(type.getNameAsString() + " is an inner class; hold the field in its outer class instead");
        }
        blockers.addAll(nameClashes(type, name, isStatic));
        variable.getInitializer().ifPresent(init -> blockers.addAll(mutableReads(type, init)));

        FieldUses.Found found = FieldUses.of(type, variable);
        blockers.addAll(found.problems());
        found.writes().forEach(w -> blockers.add("%s is assigned at line %d; only a field that is never reassigned can be initialized lazily"
                .formatted(name, JavaSource.line(w))));
        List<FieldUse> uses = new ArrayList<>();
        for (Expression read : found.reads()) {
            Phase phase = graph.phase(read);
            if (isStatic && phase == Phase.CONSTRUCTION && graph.runsAtStartUp(read)) {
                phase = Phase.START_UP;
            }
            String in = CallGraph.region(read).map(CallGraph::describe).orElse("?");
            uses.add(new FieldUse(JavaSource.line(read), JavaSource.column(read), phase, in));
            boolean early = phase == Phase.CLASS_INIT || phase == Phase.START_UP || (!isStatic && phase == Phase.CONSTRUCTION);
            if (early) {
                blockers.add("%s is read %s (line %d, in %s): deferring it would still run the work before the agent is healthy"
                        .formatted(name, switch (phase) {
                            case CLASS_INIT -> "while the class initializes";
                            case CONSTRUCTION -> "while the object is built";
                            default -> "on the way to healthy";
                        }, JavaSource.line(read), in));
            }
        }
        return new HeavyInitializer(isStatic ? Kind.STATIC_FIELD : Kind.INSTANCE_FIELD, ownerName(type), name,
                variable.getType().asString(), JavaSource.line(variable), JavaSource.column(variable), calls, uses,
                blockers.stream().distinct().toList());
    }

    static boolean isInterface(TypeDeclaration<?> type) {
        return type instanceof ClassOrInterfaceDeclaration c && c.isInterface();
    }

    /** A static nested class holding one static field: the holder idiom. */
    static boolean isHolder(TypeDeclaration<?> type) {
        return !type.isTopLevelType() && type.isStatic() && type.getMembers().size() == 1
                && type.getMember(0) instanceof FieldDeclaration f && f.isStatic();
    }

    private static boolean isSerializable(TypeDeclaration<?> type) {
        return type instanceof ClassOrInterfaceDeclaration c
                && c.getImplementedTypes().stream().anyMatch(t -> t.getNameAsString().equals("Serializable"));
    }

    /** The members a rewrite would add must not exist yet. */
    private static List<String> nameClashes(TypeDeclaration<?> type, String field, boolean isStatic) {
        List<String> clashes = new ArrayList<>();
        if (isStatic) {
            String holder = Names.holderClass(field);
            String accessor = Names.accessor(field);
            if (type.getMembers().stream().anyMatch(m -> m instanceof TypeDeclaration<?> t && t.getNameAsString().equals(holder))) {
                clashes.add(type.getNameAsString() + " already has a member type " + holder + ", the holder's name");
            }
            if (!type.getMethodsByName(accessor).isEmpty()) {
                clashes.add(type.getNameAsString() + " already has a method " + accessor + "(), the accessor's name");
            }
        } else {
            List<MethodDeclaration> memoize = type.getMethodsByName(Names.MEMOIZE);
            if (memoize.stream().anyMatch(m -> !MemoizeHeavyField.isOurHelper(m))) {
                clashes.add(type.getNameAsString() + " already has a method " + Names.MEMOIZE + "() of its own");
            }
        }
        return clashes;
    }

    /**
     * Fields of the owner that the initializer reads and whose value may differ when it runs later:
     * non-final ones, and final ones a constructor sets.
     */
    private static List<String> mutableReads(TypeDeclaration<?> type, Expression init) {
        List<String> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String> names = new ArrayList<>();
        init.findAll(NameExpr.class).forEach(n -> names.add(n.getNameAsString()));
        init.findAll(FieldAccessExpr.class, f -> f.getScope().isThisExpr()).forEach(f -> names.add(f.getNameAsString()));
        for (String read : names) {
            type.getFieldByName(read).ifPresent(other -> {
                VariableDeclarator v = other.getVariables().stream().filter(x -> x.getNameAsString().equals(read)).findFirst().orElseThrow();
                boolean stable = other.isFinal() && v.getInitializer().isPresent();
                if (!stable && seen.add(read)) {
                    problems.add("its initializer reads %s (line %d), which %s; run later, it could see another value"
                            .formatted(read, JavaSource.line(other), other.isFinal() ? "a constructor sets" : "is not final"));
                }
            });
        }
        return problems;
    }

    /** The heavy calls an initializer makes, directly or through the file's own methods (lambda bodies do not run yet). */
    private List<HeavyCall> heavyCalls(Node root, CallGraph graph, boolean countLoops) {
        return heavyCalls(root, graph, countLoops, null, new HashSet<>());
    }

    private List<HeavyCall> heavyCalls(Node root, CallGraph graph, boolean countLoops, String via, Set<MethodDeclaration> visiting) {
        List<HeavyCall> calls = new ArrayList<>();
        root.walk(node -> {
            if (inLambda(node, root)) {
                return;
            }
            switch (node) {
                case MethodCallExpr call -> {
                    String scope = call.getScope().map(JavaAnalyzer::lastName).orElse(null);
                    if (heavy.isHeavyCall(scope, call.getNameAsString())) {
                        calls.add(new HeavyCall(JavaSource.line(call), JavaSource.column(call),
                                (scope == null ? "" : scope + ".") + call.getNameAsString(), via));
                    } else if (scope == null || call.getScope().get().isThisExpr() || isTypeName(call.getScope().get())) {
                        for (MethodDeclaration method : graph.methods(call.getNameAsString())) {
                            if (method.getBody().isPresent() && visiting.add(method)) {
                                String chain = (via == null ? "" : via + " -> ") + method.getNameAsString() + "()";
                                calls.addAll(heavyCalls(method.getBody().get(), graph, true, chain, visiting));
                            }
                        }
                    }
                }
                case ObjectCreationExpr creation when heavy.isHeavyConstruction(creation.getType().getNameAsString()) ->
                        calls.add(new HeavyCall(JavaSource.line(creation), JavaSource.column(creation),
                                "new " + creation.getType().getNameAsString(), via));
                case Statement loop when countLoops && (loop instanceof ForStmt || loop instanceof ForEachStmt
                        || loop instanceof WhileStmt || loop instanceof DoStmt) ->
                        calls.add(new HeavyCall(JavaSource.line(loop), JavaSource.column(loop), HeavyCall.LOOP, via));
                default -> {
                }
            }
        });
        return calls;
    }

    private static boolean inLambda(Node node, Node root) {
        for (Node at = node.getParentNode().orElse(null); at != null && at != root; at = at.getParentNode().orElse(null)) {
            if (at instanceof LambdaExpr || (at instanceof ObjectCreationExpr c && c.getAnonymousClassBody().isPresent())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTypeName(Expression scope) {
        return scope instanceof NameExpr n && Character.isUpperCase(n.getNameAsString().charAt(0));
    }

    private static String lastName(Expression scope) {
        return switch (scope) {
            case NameExpr n -> n.getNameAsString();
            case FieldAccessExpr f -> f.getNameAsString();
            case ClassExpr c -> "Class";
            case MethodCallExpr m -> m.getNameAsString();
            case ObjectCreationExpr o -> o.getType().getNameAsString();
            default -> null;
        };
    }

    private static String ownerName(TypeDeclaration<?> type) {
        List<String> names = new ArrayList<>();
        for (Node at = type; at instanceof TypeDeclaration<?> t; at = t.getParentNode().orElse(null)) {
            names.addFirst(t.getNameAsString());
        }
        return String.join(".", names);
    }

    private static String mainClass(CompilationUnit unit) {
        String pkg = unit.getPackageDeclaration().map(p -> p.getNameAsString() + ".").orElse("");
        return unit.getTypes().stream()
                .filter(t -> t.getMethodsByName("main").stream().anyMatch(m -> m.isStatic() || m.getParameters().isEmpty()))
                .map(t -> pkg + t.getNameAsString())
                .findFirst().orElse(null);
    }

    /** Single-type and static imports whose simple name no code of the file mentions; wildcards are never judged. */
    private static List<JavaFacts.UnusedJavaImport> unusedImports(CompilationUnit unit) {
        Set<String> mentioned = new HashSet<>();
        unit.walk(node -> {
            if (node.findAncestor(ImportDeclaration.class).isPresent() || node.findAncestor(PackageDeclaration.class).isPresent()) {
                return;
            }
            if (node instanceof SimpleName s) {
                mentioned.add(s.getIdentifier());
            } else if (node instanceof Name n) {
                mentioned.add(n.getIdentifier());
            }
        });
        List<String> javadocs = unit.getAllContainedComments().stream().filter(c -> c instanceof JavadocComment)
                .map(c -> c.getContent()).toList();
        Map<String, Integer> duplicates = new HashMap<>();
        List<JavaFacts.UnusedJavaImport> unused = new ArrayList<>();
        for (ImportDeclaration declaration : unit.getImports()) {
            if (declaration.isAsterisk()) {
                continue;
            }
            JavaFacts.JavaImport imported = new JavaFacts.JavaImport(JavaSource.line(declaration), declaration.getNameAsString(),
                    declaration.isStatic(), false);
            Integer first = duplicates.putIfAbsent(declaration.toString(), imported.line());
            if (first != null) {
                unused.add(new JavaFacts.UnusedJavaImport(imported, null)); // the same import again
                continue;
            }
            String simple = imported.simpleName();
            if (mentioned.contains(simple)) {
                continue;
            }
            Pattern word = Pattern.compile("\\b" + Pattern.quote(simple) + "\\b");
            boolean inJavadoc = javadocs.stream().anyMatch(doc -> word.matcher(doc).find());
            unused.add(new JavaFacts.UnusedJavaImport(imported, inJavadoc ? "Javadoc refers to " + simple + " (a {@link} would break)" : null));
        }
        return unused;
    }
}
