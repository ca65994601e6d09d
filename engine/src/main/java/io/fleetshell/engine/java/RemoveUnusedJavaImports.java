package io.fleetshell.engine.java;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.ImportDeclaration;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Removes the single-type and static imports nothing in the file refers to. Imports named only in
 * Javadoc stay, and wildcard imports are never judged. Unused imports cost nothing at run time (javac
 * resolves them away); removing them keeps the file honest about what it depends on. Whole lines go
 * as text spans: {@code LexicalPreservingPrinter} removing the last import also ate the blank line
 * after it (the golden test {@code removesARepeatedImport} caught it).
 */
public final class RemoveUnusedJavaImports implements Pattern<JavaFacts> {

    public static final String ID = "java_unused_imports";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Remove unused Java imports";
    }

    @Override
    public String description() {
        return "Removes import declarations that no code in the file refers to. Imports that Javadoc refers to "
                + "and wildcard imports stay. The compiled classes do not change.";
    }

    @Override
    public Applicability validate(PatternInput<JavaFacts> input) {
        Optional<Applicability> unparsed = JavaPatternSupport.unparsed(input);
        if (unparsed.isPresent()) {
            return unparsed.get();
        }
        List<String> reasons = new ArrayList<>();
        input.facts().removableImports().forEach(u -> reasons.add("Removes `import %s%s;` (line %d): nothing refers to %s."
                .formatted(u.imported().isStatic() ? "static " : "", u.imported().text(), u.imported().line(), u.imported().simpleName())));
        List<String> kept = input.facts().unusedImports().stream().filter(u -> u.keptBecause() != null)
                .map(u -> "Keeps `import %s;` (line %d): %s.".formatted(u.imported().text(), u.imported().line(), u.keptBecause()))
                .toList();
        if (reasons.isEmpty()) {
            List<String> why = new ArrayList<>(List.of(input.file().getFileName() + " has no unused imports."));
            why.addAll(kept);
            return new Applicability.DoesNotApply(why);
        }
        reasons.addAll(kept);
        return new Applicability.Applies(reasons);
    }

    @Override
    public Rewrite rewrite(PatternInput<JavaFacts> input) {
        Applicability applicability = validate(input);
        if (!applicability.applies()) {
            return Rewrite.unchanged(ID, input.file(), input.source(), applicability.reasons());
        }
        Set<Integer> lines = input.facts().removableImports().stream().map(u -> u.imported().line()).collect(Collectors.toSet());
        String before = JavaPatternSupport.text(input);
        CompilationUnit unit = JavaSource.parseOrThrow(before, JavaPatternSupport.level(input));
        SourceText text = new SourceText(before);
        for (ImportDeclaration doomed : unit.getImports().stream().filter(i -> lines.contains(JavaSource.line(i))).toList()) {
            int start = text.start(doomed);
            int end = HoldStaticFieldLazily.Located.endWithTrailingComment(text, doomed);
            int lineStart = text.lineStart(JavaSource.line(doomed));
            boolean aloneOnLine = text.slice(lineStart, start).isBlank() && end == text.lineEnd(end);
            if (aloneOnLine) {
                // the whole line goes, its line break included, so no blank line is left where it was
                int next = text.lineEnd(end);
                next = next < text.length() ? next + text.newline().length() : next;
                text.replace(lineStart, next, "");
            } else {
                text.replace(start, end, "");
            }
        }
        String after = text.apply();
        JavaSource.parseOrThrow(after, JavaPatternSupport.level(input));
        return new Rewrite(ID, input.file(), input.source(), after.getBytes(StandardCharsets.UTF_8), applicability.reasons());
    }
}
