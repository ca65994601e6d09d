package io.fleetshell.history;

import io.fleetshell.engine.python.analysis.FileFacts;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentCommands;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.ScriptResolution;
import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.PatternInput;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.pattern.ChangeSet;
import io.fleetshell.engine.rollout.BatchSpec;
import io.fleetshell.engine.rollout.ModuleChange;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.StepProver;
import io.fleetshell.engine.rollout.Planner;
import io.fleetshell.engine.optimize.Optimization;
import io.fleetshell.engine.rollout.RolloutOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A small fleet of agent files in a directory (and, when asked, a shared module all of them import, changed as one step
 * of many files), a test pattern that edits one line, and a prover that fails on chosen agents: what the rollout tests and the crash test's child process drive the engine with.
 */
public final class RolloutFleet {

    /** Marks the line the pattern edits. */
    static final String LINE = "MODE = 'eager'\n";
    static final String EDITED = "MODE = 'lazy'  # edited by edit_mode\n";

    final Path root;
    final List<Agent> agents = new ArrayList<>();
    final Map<AgentId, byte[]> originals = new LinkedHashMap<>();

    private RolloutFleet(Path root) {
        this.root = root;
    }

    /** Writes {@code count} agent files (each distinct) under {@code root/agents}, mode 0640. */
    static RolloutFleet create(Path root, int count) throws IOException {
        RolloutFleet fleet = new RolloutFleet(root);
        Path dir = Files.createDirectories(root.resolve("agents"));
        for (int i = 0; i < count; i++) {
            String name = "Agent%03d".formatted(i);
            Path file = dir.resolve("agent_%03d.py".formatted(i));
            byte[] content = ("\"\"\"Agent %d.\"\"\"\nimport json\n%sdef run(x):\n    return json.dumps([x, %d])\n"
                    .formatted(i, LINE, i)).getBytes(StandardCharsets.UTF_8);
            if (!Files.exists(file)) {
                Files.write(file, content);
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
            }
            fleet.originals.put(new AgentId("m1", name), content);
            fleet.agents.add(new Agent(new AgentId("m1", name), "core", "agents/" + file.getFileName(),
                    new ScriptResolution(ScriptResolution.Status.FOUND, file, "found"), "127.0.0.1", null, null, false, List.of(),
                    Map.of(), AgentCommands.NONE, false, root.resolve("startup_config.yaml"), 1));
        }
        return fleet;
    }

    /** Puts every original back (between crash runs), the shared module's files too (its helper removed). */
    void reset() throws IOException {
        for (Agent agent : agents) {
            Files.write(agent.script().path(), originals.get(agent.id()));
        }
        for (Map.Entry<Path, byte[]> file : moduleOriginals.entrySet()) {
            if (file.getValue() == null) {
                Files.deleteIfExists(file.getKey());
            } else {
                Files.write(file.getKey(), file.getValue());
            }
        }
    }

    /** The shared module's files: each original, null for the helper its change creates. */
    final Map<Path, byte[]> moduleOriginals = new LinkedHashMap<>();

    /**
     * A shared module {@code common/base.py} that every agent imports, with {@code libs} modules beside it, and their
     * joint change as one step (as {@code optimize --modules} makes it: one helper, every module, named by all of them):
     * create the helper {@code common/_lazy.py}, then rewrite the module and each lib ({@link #edited}).
     */
    ModuleChange sharedModule(int libs) throws IOException {
        Path common = Files.createDirectories(root.resolve("common"));
        List<Rewrite> files = new ArrayList<>();
        Path helper = common.resolve("_lazy.py");
        moduleOriginals.put(helper, null);
        files.add(Rewrite.creating("lazy_loading", helper, "def lazy(name):\n    return name\n".getBytes(StandardCharsets.UTF_8), List.of()));
        Path module = common.resolve("base.py");
        List<String> names = new ArrayList<>();
        for (int i = -1; i < libs; i++) {
            names.add(i < 0 ? "common.base" : "common.lib_%02d".formatted(i));
            Path file = i < 0 ? module : common.resolve("lib_%02d.py".formatted(i));
            byte[] content = ("import json\n" + LINE + "VALUE = %d\n".formatted(i)).getBytes(StandardCharsets.UTF_8);
            if (!Files.exists(file)) {
                Files.write(file, content);
            }
            moduleOriginals.put(file, content);
            files.add(new Rewrite("lazy_loading", file, content, edited(content), List.of()));
        }
        return new ModuleChange(String.join(",", names), "m1", module, new ChangeSet("lazy_loading", files, List.of()),
                agents.stream().map(Agent::id).toList(), ProofHints.NONE, 3.0);
    }

    Function<AgentId, Agent> lookup() {
        return id -> agents.stream().filter(a -> a.id().equals(id)).findFirst().orElse(null);
    }

    /**
     * The plan the planner makes of each agent's {@link #EDIT_MODE} rewrite (what an optimizer returns for a
     * pattern that needs no analysis: its facts are null), each predicted to gain 1.5 ms.
     */
    Plan plan(String batchSize, double maxFail, OnFail onFail, Duration interval) throws IOException {
        Map<AgentId, Double> gains = new LinkedHashMap<>();
        agents.forEach(agent -> gains.put(agent.id(), 1.5));
        return Planner.of(optimizations(), List.of(), gains, new RolloutOptions(BatchSpec.parse(batchSize), interval, maxFail, onFail));
    }

    /** Each agent's {@link #EDIT_MODE} rewrite, as its optimizer returns it. */
    List<Optimization> optimizations() throws IOException {
        List<Optimization> optimizations = new ArrayList<>();
        for (Agent agent : agents) {
            byte[] source = Files.readAllBytes(agent.script().path());
            PatternInput<FileFacts> input = new PatternInput<>(agent.name(), agent.script().path(), source, null, "3.11", Map.of());
            optimizations.add(new Optimization(agent, "python3", "3.11", Map.of(EDIT_MODE.id(), EDIT_MODE.validate(input)),
                    EDIT_MODE.rewrite(input), List.of(), List.of(), null));
        }
        return optimizations;
    }

    static byte[] edited(byte[] original) {
        return new String(original, StandardCharsets.UTF_8).replace(LINE, EDITED).getBytes(StandardCharsets.UTF_8);
    }

    /** A prover that reads the written file and fails for the named agents, as a test_command would. */
    static StepProver failingFor(Set<String> agentNames) {
        return failingFor(agentNames, Files::readString);
    }

    /** {@link #failingFor(Set)} reading the written file on {@code host}, where the rollout wrote it. */
    static StepProver failingFor(Set<String> agentNames, io.fleetshell.engine.host.Host host) {
        return failingFor(agentNames, file -> new String(host.read(file, 1 << 20), StandardCharsets.UTF_8));
    }

    private interface Reader {
        String read(Path file) throws IOException;
    }

    private static StepProver failingFor(Set<String> agentNames, Reader reader) {
        return (agent, rewrite, hints) -> {
            String onDisk;
            try {
                onDisk = reader.read(rewrite.file());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            List<ProofCheck> checks = new ArrayList<>();
            checks.add(new ProofCheck("written", onDisk.contains(EDITED) ? ProofCheck.Outcome.PASSED : ProofCheck.Outcome.FAILED,
                    "the file on disk holds the rewrite", Map.of("bytes", onDisk.length())));
            boolean fails = agentNames.contains(agent.name());
            checks.add(new ProofCheck("test_command", fails ? ProofCheck.Outcome.FAILED : ProofCheck.Outcome.PASSED,
                    fails ? "the agent's own tests fail (exit 1)" : "the agent's own tests pass (exit 0)",
                    Map.of("exit_status", fails ? 1 : 0)));
            return new Proof(checks);
        };
    }

    /** The test pattern: turns {@code MODE = 'eager'} into {@code MODE = 'lazy'}. */
    static final Pattern<FileFacts> EDIT_MODE = new Pattern<>() {
        @Override
        public String id() {
            return "edit_mode";
        }

        @Override
        public String displayName() {
            return "Edit the mode line";
        }

        @Override
        public String description() {
            return "Turns MODE = 'eager' into MODE = 'lazy'. For tests.";
        }

        @Override
        public Applicability validate(PatternInput<FileFacts> input) {
            return new String(input.source(), StandardCharsets.UTF_8).contains(LINE)
                    ? new Applicability.Applies(List.of("the file has the eager mode line"))
                    : new Applicability.DoesNotApply(List.of("no eager mode line"));
        }

        @Override
        public Rewrite rewrite(PatternInput<FileFacts> input) {
            return new Rewrite(id(), input.file(), input.source(), edited(input.source()), List.of("only the mode line changes"));
        }
    };
}
