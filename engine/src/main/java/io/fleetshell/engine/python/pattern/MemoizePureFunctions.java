package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.python.analysis.WorkFacts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cache_optimization}: a module-level function that the facts helper finds pure enough (no global or
 * nonlocal writes, no writes to objects it does not own, no I/O or stateful calls, only constants among the
 * module globals it reads, an immutable result, no decorator) and that the measured replay of the agent's
 * requests shows called repeatedly with the same arguments is wrapped in {@code functools.lru_cache(maxsize,
 * typed=True)}, {@code maxsize} chosen from the measured number of distinct arguments. Methods are never cached.
 * Calls with an unhashable argument run the function uncached, as before.
 *
 * <p>The benefit is measured, never assumed: without the {@link #OPTION_CALL_COUNTS} measurement (the optimizer
 * replays the agent's {@code replay_requests} with call counting) the pattern changes nothing and says how to
 * measure; a function the replay does not call, or calls with a new argument every time, is left alone.
 */
public final class MemoizePureFunctions implements Pattern<FileFacts> {

    public static final String ID = "cache_optimization";
    /**
     * Option: what the replay measured, comma-separated {@code name:calls:distinct:total_ms} (calls of the function,
     * distinct argument tuples among them, time spent in it).
     */
    public static final String OPTION_CALL_COUNTS = "call_counts";
    /** Option: why the replay that measures the calls failed (instead of {@link #OPTION_CALL_COUNTS}); nothing is cached then. */
    public static final String OPTION_CALL_COUNTS_FAILED = "call_counts_failed";
    /** Below this much measured time saved over the replay, a cache is not worth its memory. */
    static final double MIN_SAVED_MS = 1.0;
    static final String MEMO = "_fleetshell_memo";

    /** One function's measured calls. */
    public record Measured(long calls, long distinct, double totalMillis) {
        /** The time the replay would have saved: what the repeated calls cost. */
        public double savedMillis() {
            return calls == 0 ? 0 : totalMillis * (calls - distinct) / calls;
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Cache pure functions called repeatedly with the same arguments";
    }

    @Override
    public String description() {
        return "Wraps module-level functions that are provably pure enough (no global writes, no I/O, no writes to objects "
                + "they were given, only constant globals read, an immutable result) and that a replay of the agent's "
                + "requests shows called repeatedly with the same arguments in functools.lru_cache(maxsize, typed=True), "
                + "maxsize from the measured number of distinct arguments. Methods are never cached; calls with unhashable "
                + "arguments run uncached. What changes: repeated calls return the first call's (immutable) result without "
                + "running the function, and the cache holds up to maxsize results in memory.";
    }

    @Override
    public Applicability validate(PatternInput<FileFacts> input) {
        Optional<Applicability> refused = Preconditions.refusal(input, "cache_optimization", MEMO);
        if (refused.isPresent()) {
            return refused.get();
        }
        List<String> reasons = new ArrayList<>(explain(input));
        if (decide(input).values().stream().noneMatch(d -> d.maxsize() > 0)) {
            reasons.addFirst("nothing to cache: no function is both pure enough and measured to repeat its arguments");
            return new Applicability.DoesNotApply(reasons);
        }
        return new Applicability.Applies(reasons);
    }

    @Override
    public Rewrite rewrite(PatternInput<FileFacts> input) {
        Applicability applicability = validate(input);
        if (!applicability.applies()) {
            return Rewrite.unchanged(ID, input.file(), input.source(), applicability.reasons());
        }
        Map<WorkFacts.FunctionFact, Decision> decisions = decide(input);
        List<Map.Entry<WorkFacts.FunctionFact, Decision>> cached = decisions.entrySet().stream().filter(e -> e.getValue().maxsize() > 0).toList();
        TextEdits edits = new TextEdits(input.source());
        String eol = edits.lineEnding();
        edits.insert(edits.lineStart(cached.getFirst().getKey().line()), header(input, eol) + InlinedHelper.text("memoize.py", eol) + eol);
        for (int i = 0; i < cached.size(); i++) {
            WorkFacts.FunctionFact function = cached.get(i).getKey();
            int lineStart = edits.lineStart(function.endLine());
            int next = edits.nextLineStart(lineStart + edits.restOfLine(lineStart).length());
            boolean noBreak = next == lineStart + edits.restOfLine(lineStart).length();
            String wrap = "%s = %s(%s, %d)%s".formatted(function.name(), MEMO, function.name(), cached.get(i).getValue().maxsize(), eol);
            edits.insert(next, (noBreak ? eol : "") + wrap + (i == cached.size() - 1 ? "del " + MEMO + eol : ""));
        }
        List<String> notes = new ArrayList<>(applicability.reasons());
        notes.add("Still changes: repeated calls with equal arguments (of the same types) return the first call's result without running "
                + "the function; each cache holds at most maxsize results; calls with unhashable arguments run uncached.");
        return new Rewrite(ID, input.file(), input.source(), edits.apply(), notes);
    }

    /** The functions the rewrite caches (the proof counts their calls). */
    public List<String> cachedNames(PatternInput<FileFacts> input) {
        if (!input.facts().parsed()) {
            return List.of();
        }
        return decide(input).entrySet().stream().filter(e -> e.getValue().maxsize() > 0).map(e -> e.getKey().name()).toList();
    }

    /** The functions the facts helper finds pure enough: the ones a replay should count. */
    public static List<String> candidates(FileFacts facts) {
        return facts.parsed() ? facts.work().functions().stream().filter(WorkFacts.FunctionFact::cacheable).map(WorkFacts.FunctionFact::name).toList()
                : List.of();
    }

    /** Parses {@link #OPTION_CALL_COUNTS}. */
    public static Map<String, Measured> measured(String option) {
        Map<String, Measured> measured = new LinkedHashMap<>();
        if (option == null) {
            return measured;
        }
        for (String entry : option.split(",")) {
            String[] parts = entry.strip().split(":");
            if (parts.length == 4) {
                measured.put(parts[0], new Measured(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Double.parseDouble(parts[3])));
            }
        }
        return measured;
    }

    /** The inverse of {@link #measured(String)}. */
    public static String option(Map<String, Measured> measured) {
        List<String> entries = new ArrayList<>();
        measured.forEach((name, m) -> entries.add("%s:%d:%d:%s".formatted(name, m.calls(), m.distinct(),
                String.format(Locale.ROOT, "%.3f", m.totalMillis()))));
        return String.join(",", entries);
    }

    /** maxsize 0: not cached, for the reason. */
    private record Decision(int maxsize, String reason) {
    }

    private static Map<WorkFacts.FunctionFact, Decision> decide(PatternInput<FileFacts> input) {
        String option = input.options().get(OPTION_CALL_COUNTS);
        Map<String, Measured> measured = measured(option);
        Map<WorkFacts.FunctionFact, Decision> decisions = new LinkedHashMap<>();
        for (WorkFacts.FunctionFact function : input.facts().work().functions()) {
            if (function.name().startsWith("_fleetshell_")) {
                continue; // a helper another pattern inlined (and deletes after use)
            }
            if (!function.cacheable()) {
                decisions.put(function, new Decision(0, function.refused()));
                continue;
            }
            Measured m = measured.get(function.name());
            String failed = input.options().get(OPTION_CALL_COUNTS_FAILED);
            if (failed != null) {
                decisions.put(function, new Decision(0, "pure enough, but the replay that measures its calls failed, so nothing is cached on a "
                        + "guess: " + failed + "; run optimize again once the agent answers its replay_requests and ends on SIGTERM"));
            } else if (option == null) {
                decisions.put(function, new Decision(0, "pure enough, but not measured: the benefit of a cache is measured by replaying "
                        + "the agent's requests (set replay_requests: [\"/run?x=...\", ...] in its config: entry), never assumed"));
            } else if (m == null || m.calls() == 0) {
                decisions.put(function, new Decision(0, "pure enough, but the replayed requests never call it"));
            } else if (m.distinct() >= m.calls()) {
                decisions.put(function, new Decision(0, "called %d times with %d different arguments: a cache would never hit"
                        .formatted(m.calls(), m.distinct())));
            } else if (m.savedMillis() < MIN_SAVED_MS) {
                decisions.put(function, new Decision(0, ("called %d times with %d different arguments, but it would save %.2f ms over the "
                        + "replay, under %.0f ms: not worth a cache").formatted(m.calls(), m.distinct(), m.savedMillis(), MIN_SAVED_MS)));
            } else {
                int maxsize = maxsize(m.distinct());
                decisions.put(function, new Decision(maxsize, ("called %d times with %d different arguments over the replay, %.1f ms in it, "
                        + "about %.1f ms of it repeated: lru_cache(maxsize=%d), twice the distinct arguments seen, rounded up to a power of two")
                        .formatted(m.calls(), m.distinct(), m.totalMillis(), m.savedMillis(), maxsize)));
            }
        }
        return decisions;
    }

    static int maxsize(long distinct) {
        return Math.max(8, Integer.highestOneBit((int) Math.min(1 << 20, distinct * 2 - 1)) << 1);
    }

    private static List<String> explain(PatternInput<FileFacts> input) {
        LineMap lines = LineMap.parse(input.options().get(LineMap.OPTION));
        return decide(input).entrySet().stream().map(e -> (e.getValue().maxsize() > 0 ? "cached: `%s` (line %d): %s" : "not cached: `%s` (line %d): %s")
                .formatted(e.getKey().name(), e.getKey().line(), e.getValue().reason())).map(lines::remap).toList();
    }

    private static String header(PatternInput<FileFacts> input, String eol) {
        StringBuilder text = new StringBuilder("# fleetshell cache_optimization: the functions below marked cached keep their results "
                + "in functools.lru_cache" + eol);
        for (String line : explain(input)) {
            if (line.startsWith("cached")) {
                text.append("#   ").append(line).append(eol);
            }
        }
        return text.toString();
    }
}
