package io.fleetshell.engine.java;

import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Java patterns in the order they apply: unused imports first (so that nothing moved carries them
 * along), then static holders, then memoized instance fields. Each applies to the previous one's
 * output, analyzed afresh, so every rewrite's {@code before} is exactly the text it was computed from.
 */
public final class JavaPatterns {

    private static final List<Pattern> ALL = List.of(new RemoveUnusedJavaImports(), new HoldStaticFieldLazily(), new MemoizeHeavyField());

    private JavaPatterns() {
    }

    public static List<Pattern> all() {
        return ALL;
    }

    public static List<String> ids() {
        return ALL.stream().map(Pattern::id).toList();
    }

    /** The Java pattern with this id, or a bad-input error naming the Java ones. */
    public static Pattern byId(String id) {
        return ALL.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() -> new io.fleetshell.engine.FleetshellException(
                io.fleetshell.engine.ErrorCode.BAD_INPUT, "no Java pattern named %s; Java agents take %s".formatted(id, String.join(", ", ids()))));
    }

    /** The rewrites that change something, in order; an empty list when no pattern applies. */
    public static List<Rewrite> apply(JavaAnalyzer analyzer, String agent, Path file, byte[] source, List<Pattern> patterns,
                                      Map<String, String> options) {
        List<Rewrite> rewrites = new ArrayList<>();
        byte[] current = source;
        for (Pattern pattern : patterns) {
            JavaFacts facts = analyzer.analyze(file, current);
            Rewrite rewrite = pattern.rewrite(PatternInput.java(agent, file, current, facts, options));
            if (rewrite.changes()) {
                rewrites.add(rewrite);
                current = rewrite.after();
            }
        }
        return rewrites;
    }

    /** One rewrite from the first {@code before} to the last {@code after}, named after every pattern that took part. */
    public static Rewrite combine(List<Rewrite> rewrites) {
        Rewrite first = rewrites.getFirst();
        String name = String.join("+", rewrites.stream().map(Rewrite::pattern).toList());
        List<String> notes = rewrites.stream().flatMap(r -> r.notes().stream()).toList();
        return new Rewrite(name, first.file(), first.before(), rewrites.getLast().after(), notes);
    }
}
