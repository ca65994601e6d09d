package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Language;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.java.JavaBuild;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks only the written file allows: it compiles with the agent's own interpreter (without writing
 * bytecode into the fleet), or for a Java agent with {@code javax.tools} into a temporary directory, and
 * the agent's {@code test_command} passes against it. A missing
 * {@code test_command} is a skipped check, said so, never a pass.
 */
public final class WrittenFileProver implements StepProver {

    private static final String COMPILE = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')";

    private final Inventory inventory;
    private final Duration timeout;

    public WrittenFileProver(Inventory inventory, Duration timeout) {
        this.inventory = inventory;
        this.timeout = timeout;
    }

    @Override
    public Proof prove(Agent agent, Rewrite rewrite, ProofHints hints) {
        Machine machine = inventory.machine(agent.machine()).orElseThrow();
        if (agent.language() == Language.JAVA) {
            return proveJava(agent, machine, rewrite);
        }
        List<ProofCheck> checks = new ArrayList<>();
        String python = machine.python() == null ? Machine.DEFAULT_PYTHON : machine.python();
        String compile = python + " -c \"" + COMPILE + "\" '" + rewrite.file().toString().replace("'", "'\\''") + "'";
        CommandRun compiled = CommandRun.run(compile, machine.fleetRoot(), machine.environment(), timeout);
        checks.add(check("compiles in place", compiled, "the written file compiles with " + python,
                "the written file does not compile with " + python));
        if (compiled.ok()) {
            checks.add(agentTests(agent, machine));
        }
        return new Proof(checks);
    }

    /** A Java agent's written file compiles with javax.tools (into a temporary directory), then its tests run. */
    private Proof proveJava(Agent agent, Machine machine, Rewrite rewrite) {
        List<ProofCheck> checks = new ArrayList<>();
        Path work = null;
        try {
            work = Files.createTempDirectory("fleetshell-written-java");
            JavaBuild.Compiled compiled = JavaBuild.compile(agent, machine.fleetRoot(), Files.readAllBytes(rewrite.file()), work);
            Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("errors", compiled.errors());
            evidence.put("classpath", compiled.classpathString());
            checks.add(compiled.ok()
                    ? new ProofCheck("compiles", ProofCheck.Outcome.PASSED, "the written file compiles with javax.tools", evidence)
                    : new ProofCheck("compiles", ProofCheck.Outcome.FAILED, "the written file does not compile: "
                    + String.join("; ", compiled.errors()), evidence));
        } catch (IOException e) {
            checks.add(new ProofCheck("compiles", ProofCheck.Outcome.FAILED, "cannot read the written file: " + e.getMessage(), Map.of()));
        } finally {
            deleteTree(work);
        }
        if (checks.getFirst().failed()) {
            return new Proof(checks);
        }
        checks.add(agentTests(agent, machine));
        return new Proof(checks);
    }

    /** The agent's own {@code test_command} on the written file, or a skip when its config has none. */
    private ProofCheck agentTests(Agent agent, Machine machine) {
        String test = agent.commands().test();
        if (test == null || test.isBlank()) {
            return new ProofCheck("test_command", ProofCheck.Outcome.SKIPPED,
                    "no test_command in the config for " + agent.name() + ": its own tests were not run", Map.of());
        }
        String command = CommandRun.expand(test, agent.name(), agent.machine(), agent.script().path().toString());
        return check("test_command", CommandRun.run(command, machine.fleetRoot(), machine.environment(), timeout),
                "the agent's own tests pass", "the agent's own tests fail");
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    private static ProofCheck check(String name, CommandRun run, String passed, String failed) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("command", run.command());
        evidence.put("exit_status", run.exitStatus());
        evidence.put("millis", run.millis());
        evidence.put("output", run.output());
        return run.ok() ? new ProofCheck(name, ProofCheck.Outcome.PASSED, passed + " (exit 0, " + run.millis() + " ms)", evidence)
                : new ProofCheck(name, ProofCheck.Outcome.FAILED, failed + " (exit " + run.exitStatus() + "): "
                + lastLine(run.output()), evidence);
    }

    private static String lastLine(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "no output" : lines.getLast().strip();
    }
}
