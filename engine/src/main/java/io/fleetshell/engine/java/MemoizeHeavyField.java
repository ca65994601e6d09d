package io.fleetshell.engine.java;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.ImportDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.printer.lexicalpreservation.LexicalPreservingPrinter;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a heavy instance field into a memoized supplier: its type becomes {@code Supplier<T>}, its
 * initializer runs inside {@code memoize(() -> ...)} on the first {@code get()}, and every read becomes
 * {@code field.get()}. The class gets one small private helper, {@code memoize}, that runs the
 * initializer once under the supplier's lock.
 */
public final class MemoizeHeavyField implements Pattern<JavaFacts> {

    public static final String ID = "java_memoize_field";
    private static final String SUPPLIER = "java.util.function.Supplier";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Memoize heavy instance fields";
    }

    @Override
    public String description() {
        return "Wraps a private instance field whose initializer does heavy work in a memoized Supplier, so the work "
                + "runs on the first read instead of while the object is built, and rewrites its reads to get(). "
                + "An exception the initializer throws surfaces at that read. Option fields=A,B limits it to those fields.";
    }

    @Override
    public Applicability validate(PatternInput<JavaFacts> input) {
        return JavaPatternSupport.applicability(input, HeavyInitializer.Kind.INSTANCE_FIELD, "Memoizes");
    }

    /** The helper this pattern adds: {@code static <T> Supplier<T> memoize(Supplier<T>)}. */
    static boolean isOurHelper(MethodDeclaration method) {
        return method.isStatic() && method.getParameters().size() == 1
                && method.getParameter(0).getType().asString().matches("(java\\.util\\.function\\.)?Supplier<T>");
    }

    @Override
    public Rewrite rewrite(PatternInput<JavaFacts> input) {
        Applicability applicability = validate(input);
        if (!applicability.applies()) {
            return Rewrite.unchanged(ID, input.file(), input.source(), applicability.reasons());
        }
        List<HeavyInitializer> targets = JavaPatternSupport.candidates(input, HeavyInitializer.Kind.INSTANCE_FIELD).stream()
                .filter(HeavyInitializer::deferrable).toList();
        var level = JavaPatternSupport.level(input);

        CompilationUnit unit = JavaSource.parseOrThrow(JavaPatternSupport.text(input), level);
        LexicalPreservingPrinter.setup(unit);
        for (HeavyInitializer target : targets) {
            HoldStaticFieldLazily.Located field = HoldStaticFieldLazily.Located.find(unit, target);
            for (Expression read : FieldUses.of(field.owner(), field.variable()).reads()) {
                read.replace(new MethodCallExpr(read.clone(), "get"));
            }
        }
        String reads = LexicalPreservingPrinter.print(unit);

        CompilationUnit rewritten = JavaSource.parseOrThrow(reads, level);
        SourceText text = new SourceText(reads);
        String nl = text.newline();
        String supplier = supplierName(rewritten, text, nl);
        Set<TypeDeclaration<?>> helped = new HashSet<>();
        for (HeavyInitializer target : targets) {
            HoldStaticFieldLazily.Located field = HoldStaticFieldLazily.Located.find(rewritten, target);
            var type = field.variable().getType();
            String boxed = type.isPrimitiveType() ? type.asPrimitiveType().toBoxedType().asString()
                    : HoldStaticFieldLazily.typeText(text, field.variable());
            text.replace(text.start(type), text.end(type), supplier + "<" + boxed + ">");
            Expression init = field.variable().getInitializer().orElseThrow();
            text.replace(text.start(init), text.end(init), Names.MEMOIZE + "(() -> " + text.slice(text.start(init), text.end(init)) + ")");
            if (field.owner().getMethodsByName(Names.MEMOIZE).isEmpty() && helped.add(field.owner())) {
                addHelper(text, field.owner(), text.indentOf(field.declaration()), supplier, nl);
            }
        }
        String after = text.apply();
        JavaSource.parseOrThrow(after, level);
        List<String> notes = new ArrayList<>(applicability.reasons());
        targets.forEach(t -> notes.add("The work (%s) now runs on the first %s.get() of each %s (%d read%s rewritten), not while it is built."
                .formatted(t.calls().getFirst().callee(), t.field(), t.owner(), t.uses().size(), t.uses().size() == 1 ? "" : "s")));
        notes.add("An exception thrown by a memoized initializer now surfaces at the read that runs it, and again at the next read.");
        return new Rewrite(ID, input.file(), input.source(), after.getBytes(StandardCharsets.UTF_8), notes);
    }

    /** {@code Supplier}, imported when the file does not import it yet; the full name when another Supplier is in scope. */
    private static String supplierName(CompilationUnit unit, SourceText text, String nl) {
        List<ImportDeclaration> imports = unit.getImports();
        boolean imported = imports.stream().anyMatch(i -> !i.isStatic()
                && (i.getNameAsString().equals(SUPPLIER) || (i.isAsterisk() && i.getNameAsString().equals("java.util.function"))));
        if (imported) {
            return "Supplier";
        }
        boolean otherSupplier = imports.stream().anyMatch(i -> !i.isAsterisk() && i.getName().getIdentifier().equals("Supplier"))
                || unit.findAll(TypeDeclaration.class).stream().anyMatch(t -> t.getNameAsString().equals("Supplier"));
        if (otherSupplier) {
            return SUPPLIER;
        }
        String line = "import " + SUPPLIER + ";";
        List<ImportDeclaration> plain = imports.stream().filter(i -> !i.isStatic()).toList();
        ImportDeclaration before = plain.stream().filter(i -> i.getNameAsString().compareTo(SUPPLIER) < 0)
                .reduce((a, b) -> b).orElse(null);
        if (before != null) {
            int end = text.lineEnd(text.end(before));
            text.insert(end, nl + line);
        } else if (!imports.isEmpty()) {
            text.insert(text.lineStart(JavaSource.line(imports.getFirst())), line + nl);
        } else if (unit.getPackageDeclaration().isPresent()) {
            text.insert(text.lineEnd(text.end(unit.getPackageDeclaration().get())), nl + nl + line);
        } else {
            text.insert(0, line + nl + nl);
        }
        return "Supplier";
    }

    private static void addHelper(SourceText text, TypeDeclaration<?> owner, String indent, String supplier, String nl) {
        String unit = SourceText.unit(indent, text.indentOf(owner));
        String i1 = indent;
        String i2 = indent + unit;
        String i3 = i2 + unit;
        String i4 = i3 + unit;
        String helper = String.join(nl,
                i1 + "/** Runs {@code initializer} once, on the first {@code get()}, and returns that value from then on. */",
                i1 + "private static <T> " + supplier + "<T> " + Names.MEMOIZE + "(" + supplier + "<T> initializer) {",
                i2 + "return new " + supplier + "<>() {",
                i3 + "private T value;",
                i3 + "private boolean done;",
                "",
                i3 + "@Override",
                i3 + "public synchronized T get() {",
                i4 + "if (!done) {",
                i4 + unit + "value = initializer.get();",
                i4 + unit + "done = true;",
                i4 + "}",
                i4 + "return value;",
                i3 + "}",
                i2 + "};",
                i1 + "}");
        int brace = text.end(owner) - 1;
        int lineStart = text.lineStart(owner.getEnd().orElseThrow().line);
        boolean braceAlone = text.slice(lineStart, brace).isBlank();
        if (braceAlone) {
            text.insert(lineStart, nl + helper + nl);
        } else {
            text.insert(brace, nl + nl + helper + nl + text.indentOf(owner));
        }
    }
}
