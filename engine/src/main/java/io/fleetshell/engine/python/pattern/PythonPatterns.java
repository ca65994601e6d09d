package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.NameSuggestions;
import io.fleetshell.engine.pattern.Pattern;

import java.util.List;
import java.util.Optional;

/**
 * The patterns fleetshell knows, in the order {@code optimize} applies them when none is named:
 * dead imports go first, so that lazy loading does not defer what nobody uses; then heavy start-up work moves to a
 * background thread, and pure functions called repeatedly get a cache (measured by a replay of the agent's requests).
 */
public final class PythonPatterns {

    private static final List<Pattern<FileFacts>> ALL = List.of(new RemoveUnusedImports(), new DeferHeavyImports(),
            new InitializeInBackground(), new MemoizePureFunctions());

    private PythonPatterns() {
    }

    public static List<Pattern<FileFacts>> all() {
        return ALL;
    }

    public static List<String> ids() {
        return ALL.stream().map(Pattern::id).toList();
    }

    public static Optional<Pattern<FileFacts>> find(String id) {
        return ALL.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** The pattern with this id, or a bad-input error naming the known ones. */
    public static Pattern<FileFacts> byId(String id) {
        return find(id).orElseThrow(() -> {
            List<String> close = NameSuggestions.closest(id, ids(), 2);
            return new FleetshellException(ErrorCode.BAD_INPUT, "no pattern named %s; %s (patterns: %s)".formatted(id,
                    close.isEmpty() ? "use one of the known ids" : "did you mean " + String.join(", ", close) + "?",
                    String.join(", ", ids())));
        });
    }
}
