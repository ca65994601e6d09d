package io.fleetshell.engine.rollout;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.optimize.ProofHints;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Language;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.java.JavaBuild;
import io.fleetshell.engine.java.JavaSite;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
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
 * bytecode into the fleet), or for a Java agent with {@code javax.tools} into a temporary directory, for the release
 * of the machine's java (its classes must run there), and
 * the agent's {@code test_command} passes against it. A Python agent's checks run on its machine's host (this
 * computer, or over ssh where the file was written). A missing
 * {@code test_command} is a skipped check, said so, never a pass.
 */
public final class WrittenFileProver implements StepProver {

    private static final String COMPILE = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')";

    /** Characters of a check's output kept as evidence. */
    private static final int OUTPUT_KEPT = 2000;

    private final Inventory inventory;
    private final Duration timeout;
    private final Hosts hosts;

    /** Every machine this computer. */
    public WrittenFileProver(Inventory inventory, Duration timeout) {
        this(inventory, timeout, null);
    }

    /** @param hosts each machine's host, where its checks run (null: every machine is this computer) */
    public WrittenFileProver(Inventory inventory, Duration timeout, Hosts hosts) {
        this.inventory = inventory;
        this.timeout = timeout;
        this.hosts = hosts;
    }

    @Override
    public Proof prove(Agent agent, Rewrite rewrite, ProofHints hints) {
        Machine machine = inventory.machine(agent.machine()).orElseThrow();
        if (agent.language() == Language.JAVA) {
            return proveJava(agent, machine, rewrite);
        }
        List<ProofCheck> checks = new ArrayList<>();
        String python = machine.python() == null ? Machine.DEFAULT_PYTHON : machine.python();
        String file = rewrite.file().toString();
        String shown = python + " -c \"" + COMPILE + "\" '" + file.replace("'", "'\\''") + "'";
        ProofCheck compiled = check("compiles in place", shown, ProcessRun.of(python, "-c", COMPILE, file), machine,
                "the written file compiles with " + python, "the written file does not compile with " + python);
        checks.add(compiled);
        if (!compiled.failed()) {
            checks.add(agentTests(agent, machine));
        }
        return new Proof(checks);
    }

    /**
     * The other Python files of a joint module step, as written, compile in place with the dependent's interpreter
     * (the step's own file is compiled by {@link #prove}).
     */
    @Override
    public List<ProofCheck> compiled(Agent agent, List<Rewrite> files) {
        Machine machine = inventory.machine(agent.machine()).orElseThrow();
        String python = machine.python() == null ? Machine.DEFAULT_PYTHON : machine.python();
        List<ProofCheck> checks = new ArrayList<>();
        for (Rewrite rewrite : files) {
            String file = rewrite.file().toString();
            String shown = python + " -c \"" + COMPILE + "\" '" + file.replace("'", "'\\''") + "'";
            ProofCheck compiled = check("compiles in place: " + rewrite.file().getFileName(), shown, ProcessRun.of(python, "-c", COMPILE, file),
                    machine, file + " as written compiles with " + python, file + " as written does not compile with " + python);
            checks.add(compiled);
            if (compiled.failed()) {
                break;
            }
        }
        return checks;
    }

    /** A Java agent's written file compiles with javax.tools (into a temporary directory), then its tests run. */
    private Proof proveJava(Agent agent, Machine machine, Rewrite rewrite) {
        List<ProofCheck> checks = new ArrayList<>();
        Path work = null;
        try {
            work = io.fleetshell.engine.process.Leftovers.newTempDirectory("written-java");
            // read on the machine as written there: the build reads the agent's other sources there too
            Host host = hosts == null ? new LocalHost(machine.name(), machine.fleetRoot()) : hosts.of(machine);
            // for the machine's java, as the proof before the write built it (a run_command's build is not fleetshell's)
            JavaSite site = new JavaSite(host, machine, machine.python());
            JavaSite.Java machineJava = agent.java().runCommand() == null ? site.java(agent) : null;
            int release = machineJava == null ? JavaSite.RELEASE : machineJava.buildRelease();
            JavaBuild.Compiled compiled = JavaBuild.compile(agent, host, machine.fleetRoot(),
                    host.read(rewrite.file(), io.fleetshell.engine.SafeFiles.SCRIPT_LIMIT), work, release);
            Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("errors", compiled.errors());
            evidence.put("classpath", compiled.classpathString());
            evidence.put("release", release);
            checks.add(compiled.ok()
                    ? new ProofCheck("compiles", ProofCheck.Outcome.PASSED, "the written file compiles with javax.tools for Java " + release, evidence)
                    : new ProofCheck("compiles", ProofCheck.Outcome.FAILED, "the written file does not compile: "
                    + String.join("; ", compiled.errors()) + (machineJava == null ? "" : site.olderReleaseNote(agent, machineJava)), evidence));
        } catch (io.fleetshell.engine.FleetshellException e) {
            checks.add(new ProofCheck("compiles", ProofCheck.Outcome.FAILED, e.getMessage(), Map.of()));
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
        String command = test.replace("{name}", agent.name()).replace("{machine}", agent.machine())
                .replace("{script}", agent.script().path().toString());
        return check("test_command", command, ProcessRun.shell(command), machine, "the agent's own tests pass", "the agent's own tests fail");
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

    /**
     * Runs one check from the fleet root, stdout and stderr together; a run that cannot start, times out or is
     * interrupted fails the check with exit status -1 and says so in its output.
     *
     * @param shown the command as the evidence and messages show it
     */
    private ProofCheck check(String name, String shown, ProcessRun run, Machine machine, String passed, String failed) {
        long start = System.nanoTime();
        int exitStatus = -1;
        String output;
        try {
            ProcessRun inRoot = run.in(machine.fleetRoot()).environment(machine.environment()).mergingErrors().timeout(timeout);
            ProcessResult result = hosts == null ? inRoot.run() : hosts.of(machine).run(inRoot);
            exitStatus = result.exitStatus();
            output = result.tail(OUTPUT_KEPT) + (result.timedOut() ? "\n(killed after " + timeout.toSeconds() + " s)" : "");
        } catch (CannotStartException e) {
            output = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            output = "interrupted";
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("command", shown);
        evidence.put("exit_status", exitStatus);
        evidence.put("millis", millis);
        evidence.put("output", output);
        return exitStatus == 0 ? new ProofCheck(name, ProofCheck.Outcome.PASSED, passed + " (exit 0, " + millis + " ms)", evidence)
                : new ProofCheck(name, ProofCheck.Outcome.FAILED, failed + " (exit " + exitStatus + "): " + lastLine(output), evidence);
    }

    private static String lastLine(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "no output" : lines.getLast().strip();
    }
}
