package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.python.analysis.FileFacts;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The refusals every Python pattern makes before it looks at a file: the file must parse, and it must not hold this
 * pattern's own rewrite already (recognised by the helper function the rewrite inlines or imports), since a second rewrite on
 * top of the first would wrap what is already wrapped.
 */
final class Preconditions {

    private Preconditions() {
    }

    /**
     * @param pattern the pattern's id, as the refusal names it
     * @param helper  the function the pattern's rewrite defines at module level, or null when it inlines none
     */
    static Optional<Applicability> refusal(PatternInput<FileFacts> input, String pattern, String helper) {
        FileFacts facts = input.facts();
        if (!facts.parsed()) {
            return Optional.of(new Applicability.DoesNotApply(List.of(input.file() + ":" + facts.error().line() + ": "
                    + facts.error() + ". Fix the file; nothing can be rewritten before it parses.")));
        }
        String text = new String(input.source(), StandardCharsets.UTF_8);
        if (helper != null && (text.contains("def " + helper + "(") || text.contains("import " + helper))) {
            return Optional.of(new Applicability.DoesNotApply(List.of(("the file was rewritten by %s already (it %s %s); "
                    + "roll it back to its original before optimizing it again").formatted(pattern,
                    text.contains("def " + helper + "(") ? "defines" : "imports", helper))));
        }
        return Optional.empty();
    }
}
