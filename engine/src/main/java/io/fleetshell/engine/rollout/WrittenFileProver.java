package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks only the written file allows: it compiles with the agent's own interpreter (without writing
 * bytecode into the fleet), and the agent's {@code test_command} passes against it. A missing
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
    public Proof prove(Agent agent, Rewrite rewrite) {
        Machine machine = inventory.machine(agent.machine()).orElseThrow();
        List<ProofCheck> checks = new ArrayList<>();
        String python = machine.python() == null ? Machine.DEFAULT_PYTHON : machine.python();
        String compile = python + " -c \"" + COMPILE + "\" '" + rewrite.file().toString().replace("'", "'\\''") + "'";
        CommandRun compiled = CommandRun.run(compile, machine.fleetRoot(), machine.environment(), timeout);
        checks.add(check("compiles in place", compiled, "the written file compiles with " + python,
                "the written file does not compile with " + python));
        if (compiled.ok()) {
            String test = agent.commands().test();
            if (test == null || test.isBlank()) {
                checks.add(new ProofCheck("test_command", ProofCheck.Outcome.SKIPPED,
                        "no test_command in the config for " + agent.name() + ": its own tests were not run", Map.of()));
            } else {
                String command = CommandRun.expand(test, agent.name(), agent.machine(), agent.script().path().toString());
                checks.add(check("test_command", CommandRun.run(command, machine.fleetRoot(), machine.environment(), timeout),
                        "the agent's own tests pass", "the agent's own tests fail"));
            }
        }
        return new Proof(checks);
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
