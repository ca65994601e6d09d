package io.fleetshell.engine.optimize;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.analysis.FileFacts;
import io.fleetshell.engine.analysis.ImportFact;
import io.fleetshell.engine.analysis.PythonFacts;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.DeferHeavyImports;
import io.fleetshell.engine.pattern.LineMap;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.RemoveUnusedImports;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.proof.Proof;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;
import io.fleetshell.engine.proof.Prover;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Optimizes one agent: refuses infrastructure agents, missing scripts and files that do not parse (with
 * file:line), runs the patterns in the order given on the result of the one before, and proves the
 * combined rewrite with {@link Prover}. Reads the agent's file; never writes it.
 */
public final class Optimizer {

    private final PythonFacts facts;
    private final Set<String> sideEffectModules;
    private final Prover prover;
    private final Map<String, String> versions = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param facts             the analysis runner
     * @param sideEffectModules modules whose imports are never deferred or removed (configurable in settings.yaml)
     * @param prover            the prover, or null to skip proofs
     */
    public Optimizer(PythonFacts facts, Set<String> sideEffectModules, Prover prover) {
        this.facts = facts;
        this.sideEffectModules = Set.copyOf(sideEffectModules);
        this.prover = prover;
    }

    public Optimization optimize(Agent agent, Machine machine, List<Pattern> patterns) {
        Optimizable.require(agent, "script");
        Path script = agent.script().path();
        String python = machine.python();
        byte[] original = read(script);
        FileFacts current = analyze(python, script);
        if (!current.parsed()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s:%s: %s. %s is not optimized until the file parses under %s; nothing was changed."
                    .formatted(script, current.error().line(), current.error(), agent.id(), python));
        }
        String version = versions.computeIfAbsent(python, facts::version);
        Map<String, String> options = new LinkedHashMap<>();
        options.put(DeferHeavyImports.OPTION_MODULE_KINDS, moduleKinds(machine, script, current));
        byte[] source = original;
        Map<String, Applicability> applicability = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        List<String> changedBy = new ArrayList<>();
        List<String> deferred = List.of();
        List<String> removed = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            Pattern pattern = patterns.get(i);
            PatternInput input = new PatternInput(agent.id().toString(), script, source, current, version, options);
            applicability.put(pattern.id(), pattern.validate(input));
            Rewrite rewrite = pattern.rewrite(input);
            rewrite.notes().forEach(n -> notes.add(pattern.id() + ": " + n));
            if (pattern instanceof DeferHeavyImports lazy) {
                deferred = lazy.deferredNames(input);
            }
            if (pattern instanceof RemoveUnusedImports dead && rewrite.changes()) {
                removed.addAll(dead.removedNames(input));
            }
            if (rewrite.changes()) {
                changedBy.add(pattern.id());
                source = rewrite.after();
                if (i + 1 < patterns.size()) {
                    current = analyzeBytes(python, script, source);
                    options.put(LineMap.OPTION, LineMap.between(original, source));
                }
            }
        }
        String name = changedBy.isEmpty() ? patterns.stream().map(Pattern::id).collect(Collectors.joining("+")) : String.join("+", changedBy);
        Rewrite combined = new Rewrite(name, script, original, source, notes);
        Proof proof = null;
        if (prover != null && combined.changes()) {
            ProfileTarget target = new ProfileTarget(agent.id(), script, python, machine.fleetRoot(), machine.environment());
            proof = prover.prove(new Prover.Subject(target, combined, deferred, removed, agent.commands().test()));
        }
        return new Optimization(agent, python, version, applicability, combined, deferred, removed, proof);
    }

    private FileFacts analyze(String python, Path file) {
        return facts.analyze(python, List.of(file), sideEffectModules).getFirst();
    }

    /** Facts of rewritten bytes: analysis is static, so a temporary copy stands in for the agent's file. */
    private FileFacts analyzeBytes(String python, Path script, byte[] source) {
        try {
            Path directory = Files.createTempDirectory("fleetshell-optimize");
            Path copy = directory.resolve(script.getFileName().toString());
            try {
                Files.write(copy, source);
                return analyze(python, copy);
            } finally {
                Files.deleteIfExists(copy);
                Files.deleteIfExists(directory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What each module-level import of the file loads, asked of the agent's interpreter in the agent's environment
     * (LAZY_IMPORTS.md): {@code preloaded} (in sys.modules when the interpreter starts), {@code source} (a Python
     * module that can load lazily), {@code native} (built-in or C extension: nothing to gain), {@code attribute}
     * (a from-import of something that is not a submodule), {@code missing}. Packages above a dotted name are
     * imported by the probe (never the module itself), in its own process.
     */
    private static String moduleKinds(Machine machine, Path script, FileFacts fileFacts) {
        Set<String> targets = new LinkedHashSet<>();
        for (ImportFact fact : fileFacts.moduleLevelImports()) {
            if (fact.level() == 0 && !fact.star() && !fact.future()) {
                targets.add(fact.kind() == ImportFact.Kind.FROM ? fact.module() + "." + fact.name() : fact.module());
            }
        }
        if (targets.isEmpty()) {
            return "";
        }
        List<String> command = new ArrayList<>(List.of(machine.python(), "-c", MODULE_KINDS, script.getParent().toString()));
        command.addAll(targets);
        ProcessResult run = ProcessRun.of(command).in(machine.fleetRoot()).environment(machine.environment())
                .timeout(Duration.ofSeconds(60)).runOrFail("the proof");
        if (!run.ok() || !run.report().startsWith("{")) {
            return ""; // every from-import then stays eager, with its reason: safe, only less gain
        }
        Map<String, String> kinds = JSON.readValue(run.report(), new TypeReference<LinkedHashMap<String, String>>() { });
        return kinds.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    /** {@code module_kinds.py}, run with {@code -c}: a program of a few lines needs no file of its own on disk. */
    private static final String MODULE_KINDS = pythonResource("module_kinds.py");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static String pythonResource(String name) {
        try (InputStream in = Optimizer.class.getResourceAsStream("/io/fleetshell/python/" + name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path script) {
        try {
            return Files.readAllBytes(script);
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot read %s: %s".formatted(script, e.getMessage()));
        }
    }
}
