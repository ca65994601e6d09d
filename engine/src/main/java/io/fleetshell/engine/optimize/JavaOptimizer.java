package io.fleetshell.engine.optimize;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.java.HeavyInitializer;
import io.fleetshell.engine.java.JavaAnalyzer;
import io.fleetshell.engine.java.JavaFacts;
import io.fleetshell.engine.java.JavaProver;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Optimizes one Java agent the way {@link Optimizer} does a Python one: refuses infrastructure agents,
 * missing sources and files that do not parse (with line and column), runs the Java patterns in order,
 * each on the previous one's output analyzed afresh, and proves the combined rewrite with
 * {@link JavaProver}. Reads the agent's file; never writes it.
 */
public final class JavaOptimizer {

    private final JavaAnalyzer analyzer;
    private final JavaProver prover;

    /** @param prover the prover, or null to skip proofs */
    public JavaOptimizer(JavaAnalyzer analyzer, JavaProver prover) {
        this.analyzer = analyzer;
        this.prover = prover;
    }

    public Optimization optimize(Agent agent, Machine machine, List<Pattern> patterns) {
        Optimizable.require(agent, "source");
        Path file = agent.script().path();
        byte[] original;
        try {
            original = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JavaFacts facts = analyzer.analyze(file, original);
        if (!facts.parsed()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s:%s:%s: %s. %s is not optimized until the file parses at %s; nothing was changed."
                    .formatted(file, facts.error().line(), facts.error().column(), facts.error().message(), agent.id(), facts.languageLevel()));
        }
        JavaFacts before = facts;
        byte[] source = original;
        Map<String, Applicability> applicability = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        List<String> changedBy = new ArrayList<>();
        List<String> deferred = new ArrayList<>();
        for (Pattern pattern : patterns) {
            PatternInput input = PatternInput.java(agent.id().toString(), file, source, facts, Map.of());
            applicability.put(pattern.id(), pattern.validate(input));
            Rewrite rewrite = pattern.rewrite(input);
            if (!changedBy.isEmpty() && rewrite.changes()) {
                notes.add("%s: line numbers below are those of the file as %s left it".formatted(pattern.id(), String.join(" and ", changedBy)));
            }
            rewrite.notes().forEach(n -> notes.add(pattern.id() + ": " + n));
            if (rewrite.changes()) {
                facts.deferrable().stream().filter(h -> h.kind() != HeavyInitializer.Kind.STATIC_BLOCK && appliesTo(pattern, h))
                        .forEach(h -> deferred.add(h.label()));
                changedBy.add(pattern.id());
                source = rewrite.after();
                facts = analyzer.analyze(file, source);
            }
        }
        String name = changedBy.isEmpty() ? patterns.stream().map(Pattern::id).collect(Collectors.joining("+")) : String.join("+", changedBy);
        Rewrite combined = new Rewrite(name, file, original, source, notes);
        Proof proof = prover != null && combined.changes() ? prover.prove(agent, machine, combined, before) : null;
        return new Optimization(agent, agent.java().launcher(), "java " + Runtime.version().feature(), applicability, combined, deferred, List.of(), proof);
    }

    private static boolean appliesTo(Pattern pattern, HeavyInitializer h) {
        return switch (pattern.id()) {
            case io.fleetshell.engine.java.HoldStaticFieldLazily.ID -> h.kind() == HeavyInitializer.Kind.STATIC_FIELD;
            case io.fleetshell.engine.java.MemoizeHeavyField.ID -> h.kind() == HeavyInitializer.Kind.INSTANCE_FIELD;
            default -> false;
        };
    }
}
