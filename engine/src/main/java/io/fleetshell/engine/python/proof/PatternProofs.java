package io.fleetshell.engine.python.proof;

import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.proof.ProofCheck;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks that {@code async_initialization} and {@code cache_optimization} add to a Python proof, chosen from the
 * rewrite itself (the patterns it names, the functions it wraps), so that a proof run long after planning, on the
 * stored rewrite, proves the same thing. The Python {@code Prover} calls {@link #prove} after its load checks.
 *
 * @param starts   starts of each version for the timing of {@code async_initialization} (0: answers only)
 * @param alpha    significance level of its rank tests
 * @param timeout  how long one start or one request may take
 */
public record PatternProofs(int starts, double alpha, Duration timeout) {

    private static final Pattern CACHED = Pattern.compile("(?m)^(\\w+) = _fleetshell_memo\\(\\1, \\d+\\)\\s*$");

    /** Whether the rewrite's patterns include one whose benefit is not a lower load time (the load-time check does not apply alone). */
    public static boolean replacesLoadTime(Rewrite rewrite) {
        List<String> patterns = Arrays.asList(rewrite.pattern().split("\\+"));
        return patterns.stream().allMatch(p -> p.equals("cache_optimization"));
    }

    /** Whether {@link #prove} starts the agent from the rewritten file (its patterns have checks of their own here). */
    public static boolean startsTheAgent(Rewrite rewrite) {
        List<String> patterns = Arrays.asList(rewrite.pattern().split("\\+"));
        return patterns.contains("async_initialization") || patterns.contains("cache_optimization");
    }

    /** The added checks, run on {@code site} (the agent's machine): none when the rewrite is not these patterns'. */
    public List<ProofCheck> prove(ProofSite site, ProfileTarget original, Path rewritten, Rewrite rewrite, List<String> requests) {
        List<String> patterns = Arrays.asList(rewrite.pattern().split("\\+"));
        List<ProofCheck> checks = new ArrayList<>();
        if (!startsTheAgent(rewrite)) {
            return checks;
        }
        AgentRuns runs = new AgentRuns(site, timeout);
        if (patterns.contains("async_initialization")) {
            checks.addAll(new StartupProof(runs, starts, alpha).prove(original, rewritten, rewrite.after(), requests));
            if (checks.stream().anyMatch(ProofCheck::failed)) {
                return checks;
            }
        }
        if (patterns.contains("cache_optimization")) {
            checks.addAll(new CacheProof(runs).prove(original, rewritten, requests, cachedNames(rewrite)));
        }
        return checks;
    }

    /** The functions a cache_optimization rewrite wraps, read from its text. */
    public static List<String> cachedNames(Rewrite rewrite) {
        List<String> names = new ArrayList<>();
        Matcher m = CACHED.matcher(new String(rewrite.after(), StandardCharsets.UTF_8));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
