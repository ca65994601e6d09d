package io.fleetshell.engine.pattern;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Applies patterns in turn, each to the previous one's output analyzed afresh, and combines what they did into
 * one before/after pair named after the patterns that changed the file: the one loop both languages'
 * optimizers run. It reads and writes no file.
 *
 * @param <F> the language's analysis facts
 */
public final class PatternChain<F> {

    /** Sees each pattern's input and rewrite as the chain runs them (to collect what a rewrite defers, say). */
    @FunctionalInterface
    public interface Observer<F> {
        void ran(Pattern<F> pattern, PatternInput<F> input, Rewrite rewrite);
    }

    /**
     * What the chain did.
     *
     * @param rewrite       from the original to the last pattern's output, named {@code a+b} after the patterns that changed it
     * @param applicability what each pattern said, in the order run
     */
    public record Result(Rewrite rewrite, Map<String, Applicability> applicability) {
    }

    private final Function<byte[], F> analyze;
    private final Function<byte[], Map<String, String>> options;
    private final boolean linesOfOriginal;

    /**
     * @param analyze         the facts of some bytes of the file
     * @param options         the options for a pattern that runs on these bytes
     * @param linesOfOriginal whether the patterns report lines of the original (through an option) even after an
     *                        earlier pattern changed the file; if not, the notes say whose output their lines are
     */
    public PatternChain(Function<byte[], F> analyze, Function<byte[], Map<String, String>> options, boolean linesOfOriginal) {
        this.analyze = analyze;
        this.options = options;
        this.linesOfOriginal = linesOfOriginal;
    }

    /** Runs the patterns on {@code original}, whose facts are {@code facts}. */
    public Result apply(String agent, Path file, byte[] original, F facts, String version, List<Pattern<F>> patterns, Observer<F> observer) {
        byte[] source = original;
        F current = facts;
        boolean stale = false;
        Map<String, Applicability> applicability = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        List<String> changedBy = new ArrayList<>();
        for (Pattern<F> pattern : patterns) {
            if (stale) {
                current = analyze.apply(source);
                stale = false;
            }
            PatternInput<F> input = new PatternInput<>(agent, file, source, current, version, options.apply(source));
            applicability.put(pattern.id(), pattern.validate(input));
            Rewrite rewrite = pattern.rewrite(input);
            if (!linesOfOriginal && !changedBy.isEmpty() && rewrite.changes()) {
                notes.add("%s: line numbers below are those of the file as %s left it".formatted(pattern.id(), String.join(" and ", changedBy)));
            }
            rewrite.notes().forEach(n -> notes.add(pattern.id() + ": " + n));
            observer.ran(pattern, input, rewrite);
            if (rewrite.changes()) {
                changedBy.add(pattern.id());
                source = rewrite.after();
                stale = true;
            }
        }
        String name = changedBy.isEmpty() ? patterns.stream().map(Pattern::id).collect(Collectors.joining("+")) : String.join("+", changedBy);
        return new Result(new Rewrite(name, file, original, source, notes), applicability);
    }
}
