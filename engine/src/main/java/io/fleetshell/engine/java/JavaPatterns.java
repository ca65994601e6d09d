package io.fleetshell.engine.java;

import io.fleetshell.engine.pattern.Pattern;

import java.util.List;

/**
 * The Java patterns in the order they apply: unused imports first (so that nothing moved carries them
 * along), then static holders, then memoized instance fields. {@link io.fleetshell.engine.pattern.PatternChain}
 * applies each to the previous one's output, analyzed afresh.
 */
public final class JavaPatterns {

    private static final List<Pattern<JavaFacts>> ALL = List.of(new RemoveUnusedJavaImports(), new HoldStaticFieldLazily(), new MemoizeHeavyField());

    private JavaPatterns() {
    }

    public static List<Pattern<JavaFacts>> all() {
        return ALL;
    }

    public static List<String> ids() {
        return ALL.stream().map(Pattern::id).toList();
    }

    /** The Java pattern with this id, or a bad-input error naming the Java ones. */
    public static Pattern<JavaFacts> byId(String id) {
        return ALL.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() -> new io.fleetshell.engine.FleetshellException(
                io.fleetshell.engine.ErrorCode.BAD_INPUT, "no Java pattern named %s; Java agents take %s".formatted(id, String.join(", ", ids()))));
    }
}
