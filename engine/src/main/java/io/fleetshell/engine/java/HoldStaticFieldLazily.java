package io.fleetshell.engine.java;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.body.VariableDeclarator;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.FieldAccessExpr;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.ThisExpr;
import com.github.javaparser.printer.lexicalpreservation.LexicalPreservingPrinter;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds a heavy static field lazily with the initialization-on-demand holder idiom: the field moves,
 * as written, into a private static nested class, and every read becomes a call of a new accessor.
 * The JVM initializes the holder on the first call, exactly once and thread-safely, so the work leaves
 * class initialization (and start-up) for the first request that needs it.
 */
public final class HoldStaticFieldLazily implements Pattern<JavaFacts> {

    public static final String ID = "java_lazy_holder";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Hold heavy static fields lazily";
    }

    @Override
    public String description() {
        return "Moves a private static field whose initializer does heavy work into a holder class that the JVM "
                + "initializes on first use, and rewrites its reads to an accessor. The work then runs on the first "
                + "read instead of at class initialization; an exception it throws surfaces there, as an "
                + "ExceptionInInitializerError, instead of at start-up. Option fields=A,B limits it to those fields.";
    }

    @Override
    public Applicability validate(PatternInput<JavaFacts> input) {
        return JavaPatternSupport.applicability(input, HeavyInitializer.Kind.STATIC_FIELD, "Holds");
    }

    @Override
    public Rewrite rewrite(PatternInput<JavaFacts> input) {
        Applicability applicability = validate(input);
        if (!applicability.applies()) {
            return Rewrite.unchanged(ID, input.file(), input.source(), applicability.reasons());
        }
        List<HeavyInitializer> targets = JavaPatternSupport.candidates(input, HeavyInitializer.Kind.STATIC_FIELD).stream()
                .filter(HeavyInitializer::deferrable).toList();
        var level = JavaPatternSupport.level(input);

        // Reads first, through the lexical-preserving printer: each one becomes accessor().
        CompilationUnit unit = JavaSource.parseOrThrow(JavaPatternSupport.text(input), level);
        LexicalPreservingPrinter.setup(unit);
        for (HeavyInitializer target : targets) {
            Located field = Located.find(unit, target);
            String accessor = Names.accessor(target.field());
            for (Expression read : FieldUses.of(field.owner(), field.variable()).reads()) {
                MethodCallExpr call = read instanceof FieldAccessExpr access && !(access.getScope() instanceof ThisExpr)
                        ? new MethodCallExpr(access.getScope().clone(), accessor)
                        : new MethodCallExpr(accessor);
                read.replace(call);
            }
        }
        String reads = LexicalPreservingPrinter.print(unit);

        // Then the declaration, as text: the holder and the accessor, indented like the field.
        CompilationUnit rewritten = JavaSource.parseOrThrow(reads, level);
        SourceText text = new SourceText(reads);
        String nl = text.newline();
        for (HeavyInitializer target : targets) {
            Located field = Located.find(rewritten, target);
            String indent = text.indentOf(field.declaration());
            String unitIndent = SourceText.unit(indent, text.indentOf(field.owner()));
            int start = text.start(field.declaration());
            int end = Located.endWithTrailingComment(text, field.declaration());
            String declaration = SourceText.indentContinuation(text.slice(start, end), unitIndent, nl);
            String holder = Names.holderClass(target.field());
            String replacement = "private static final class " + holder + " {" + nl
                    + indent + unitIndent + declaration + nl
                    + indent + "}" + nl
                    + nl
                    + indent + "private static " + typeText(text, field.variable()) + " " + Names.accessor(target.field()) + "() {" + nl
                    + indent + unitIndent + "return " + holder + "." + target.field() + ";" + nl
                    + indent + "}";
            text.replace(start, end, replacement);
        }
        String after = text.apply();
        JavaSource.parseOrThrow(after, level);
        List<String> notes = new ArrayList<>(applicability.reasons());
        targets.forEach(t -> notes.add("The work (%s) now runs on the first call of %s() (%d read%s rewritten), not when %s initializes."
                .formatted(t.calls().getFirst().callee(), Names.accessor(t.field()), t.uses().size(), t.uses().size() == 1 ? "" : "s", t.owner())));
        notes.add("An exception thrown by a moved initializer now surfaces at the first read, as an ExceptionInInitializerError, instead of at start-up.");
        return new Rewrite(ID, input.file(), input.source(), after.getBytes(StandardCharsets.UTF_8), notes);
    }

    /** The field's type as written (JavaParser's own printing drops spaces such as the one in {@code Map<K, V>}). */
    static String typeText(SourceText text, VariableDeclarator variable) {
        var type = variable.getType();
        return type.getRange().isPresent() && type.getParentNode().orElse(null) == variable
                ? text.slice(text.start(type), text.end(type)) : type.asString();
    }

    /** A heavy field found again in a (re-)parsed tree by its owner, name and kind. */
    record Located(TypeDeclaration<?> owner, FieldDeclaration declaration, VariableDeclarator variable) {

        static Located find(CompilationUnit unit, HeavyInitializer target) {
            for (TypeDeclaration<?> type : unit.findAll(TypeDeclaration.class)) {
                if (!ownerName(type).equals(target.owner())) {
                    continue;
                }
                for (FieldDeclaration field : type.getFields()) {
                    for (VariableDeclarator variable : field.getVariables()) {
                        if (variable.getNameAsString().equals(target.field())) {
                            return new Located(type, field, variable);
                        }
                    }
                }
            }
            throw new IllegalStateException("field " + target.label() + " not found in the parsed source");
        }

        private static String ownerName(TypeDeclaration<?> type) {
            StringBuilder name = new StringBuilder(type.getNameAsString());
            for (Node at = type.getParentNode().orElse(null); at instanceof TypeDeclaration<?> t; at = t.getParentNode().orElse(null)) {
                name.insert(0, t.getNameAsString() + ".");
            }
            return name.toString();
        }

        /** The declaration's end, or the end of its line when only a comment follows it there (the comment moves with it). */
        static int endWithTrailingComment(SourceText text, Node declaration) {
            int end = text.end(declaration);
            int lineEnd = text.lineEnd(end);
            String rest = text.slice(end, lineEnd).strip();
            return rest.startsWith("//") || (rest.startsWith("/*") && rest.endsWith("*/")) ? lineEnd : end;
        }
    }
}
