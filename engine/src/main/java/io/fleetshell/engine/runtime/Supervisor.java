package io.fleetshell.engine.runtime;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts, stops, restarts and looks at agents. An agent with a {@code restart_command} is managed
 * elsewhere: (re)starting it runs that command. Any other agent fleetshell runs itself: its script
 * with its machine's interpreter, in the fleet root, with the machine's {@code global_settings.environment}
 * plus {@code PORT} and {@code HEALTH_PORT}, in a session of its own ({@code setsid}) so that it outlives
 * the shell and a Ctrl-C there, stdout and stderr appended to {@code FLEETSHELL_HOME/logs/MACHINE/AGENT.log},
 * and its pid with the process start time in {@code FLEETSHELL_HOME/run/MACHINE/AGENT.json}.
 *
 * <p>The agents fleetshell runs itself are the one kind of child not started through
 * {@link io.fleetshell.engine.process.ProcessRun}: they are meant to outlive the command that started them (and
 * fleetshell itself), so they are detached rather than owned: no timeout, no kill of their tree when the shell exits,
 * output to their log rather than kept in memory, and a pid file through which a later shell finds them again.
 * A {@code restart_command} is an ordinary run to completion and goes through the runner; what it leaves running in
 * the background is the agent, and is left alone.
 *
 * <p>Every (re)start is measured from the spawn (or the restart command's start) until the health
 * probe answers, and stored through {@link RuntimeHistory} as a time-to-healthy sample; so is every
 * probe {@link #status} takes.
 */
public final class Supervisor {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration POLL = Duration.ofMillis(20);
    /** The OS start time and the one stored can differ by rounding; a reused pid starts much later. */
    private static final Duration SAME_PROCESS_TOLERANCE = Duration.ofSeconds(2);
    private static final Path SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid")).stream()
            .filter(Files::isExecutable).findFirst().orElse(null);

    private final FleetHome home;
    private final Inventory inventory;
    private final RuntimeHistory history;
    private final HealthProbe probe = new HealthProbe();
    private final Duration startTimeout;
    private final Duration stopTimeout;

    /**
     * @param startTimeout how long a start may take to become healthy before it counts as failed (and
     *                     the process is stopped)
     * @param stopTimeout  how long an agent gets after SIGTERM before SIGKILL
     */
    public Supervisor(FleetHome home, Inventory inventory, RuntimeHistory history, Duration startTimeout, Duration stopTimeout) {
        this.home = home;
        this.inventory = inventory;
        this.history = history;
        this.startTimeout = startTimeout;
        this.stopTimeout = stopTimeout;
    }

    /** Starts the agent unless fleetshell already runs it; measures and stores its time-to-healthy. */
    public StartOutcome start(Agent agent) {
        Optional<SupervisedProcess> running = running(agent);
        if (running.isPresent()) {
            return new StartOutcome.AlreadyRunning(agent.id(), running.get().pid(), running.get().spawnedAt());
        }
        return agent.commands().restart() != null ? runRestartCommand(agent) : spawn(agent);
    }

    /**
     * Stops the agent if fleetshell runs it and starts it again; an agent managed elsewhere is restarted
     * with its {@code restart_command}. Measures and stores its time-to-healthy. This is what the
     * rollout calls after changing an agent.
     */
    public StartOutcome restart(Agent agent) {
        if (running(agent).isPresent()) {
            stop(agent);
        } else if (agent.commands().restart() != null) {
            return runRestartCommand(agent);
        }
        return spawn(agent);
    }

    /** SIGTERM, then SIGKILL when the agent has not exited within the stop timeout. */
    public StopOutcome stop(Agent agent) {
        Optional<SupervisedProcess> running = running(agent);
        if (running.isEmpty()) {
            return new StopOutcome.NotRunning(agent.id(), notRunningReason(agent));
        }
        SupervisedProcess process = running.get();
        StopOutcome outcome = terminate(agent, ProcessHandle.of(process.pid()).orElse(null), process.pid());
        deletePidFile(agent);
        return outcome;
    }

    /** How the agent's health is checked, with its machine's settings; empty when it has no port to check. */
    public Optional<ProbeTarget> healthTarget(Agent agent) {
        return ProbeTarget.of(agent, inventory);
    }

    /** Whether fleetshell runs the agent, and what its health check answers now (stored as a sample). */
    public AgentStatus status(Agent agent) {
        Optional<SupervisedProcess> running = running(agent);
        Optional<ProbeTarget> target = ProbeTarget.of(agent, machine(agent));
        ProbeResult result = target.map(probe::probe).orElse(null);
        if (result != null) {
            result = result.withRss(running.map(p -> residentKb(p.pid())).orElse(null));
            history.recordProbe(result);
        }
        if (running.isPresent()) {
            return new AgentStatus(agent.id(), AgentStatus.Supervision.RUNNING, running.get(), result,
                    "pid %d, started %s".formatted(running.get().pid(), running.get().spawnedAt()));
        }
        Optional<SupervisedProcess> recorded = readPidFile(agent);
        if (recorded.isPresent()) {
            return new AgentStatus(agent.id(), AgentStatus.Supervision.EXITED, null, result,
                    "pid %d, started by fleetshell %s, is gone: it exited or was killed outside fleetshell (see %s)"
                            .formatted(recorded.get().pid(), recorded.get().spawnedAt(), recorded.get().log()));
        }
        Optional<String> crashed = exitRecord(agent);
        if (crashed.isPresent()) {
            return new AgentStatus(agent.id(), AgentStatus.Supervision.EXITED, null, result, crashed.get());
        }
        if (agent.commands().restart() != null) {
            return new AgentStatus(agent.id(), AgentStatus.Supervision.EXTERNAL, null, result,
                    "managed elsewhere (restart_command: " + agent.commands().restart() + ")");
        }
        return new AgentStatus(agent.id(), AgentStatus.Supervision.NOT_STARTED, null, result,
                target.isEmpty() ? "no health_check_port or port to check" : "not started by fleetshell");
    }

    /** The supervised process of the agent, when its pid file names a live process that is still that agent. */
    public Optional<SupervisedProcess> running(Agent agent) {
        return readPidFile(agent).filter(Supervisor::stillOurs);
    }

    /** Where the agent's output goes. */
    public Path log(Agent agent) {
        return home.agentLog(agent.machine(), agent.name());
    }

    private StartOutcome spawn(Agent agent) {
        Machine machine = machine(agent);
        if (!agent.script().found()) {
            return new StartOutcome.NotStartable(agent.id(), "its script was not found (" + agent.script().detail() + ")");
        }
        Optional<ProbeTarget> target = ProbeTarget.of(agent, machine);
        if (target.isEmpty()) {
            return new StartOutcome.NotStartable(agent.id(),
                    "it has no health_check_port or port, so fleetshell could not tell when it is up; add one to its config");
        }
        ProbeResult before = probe.probe(target.get(), Duration.ofMillis(500));
        if (before.healthy()) {
            return new StartOutcome.NotStartable(agent.id(), ("%s already answers: another process serves this agent's port"
                    + " outside fleetshell. Stop that one, or give the agent a restart_command").formatted(target.get().describe()));
        }
        List<String> command = new ArrayList<>();
        if (SETSID != null) {
            command.add(SETSID.toString());
        }
        if (agent.java() != null) {
            command.addAll(agent.java().command(agent.script().path(), machine.fleetRoot()));
        } else {
            command.add(machine.python());
            command.add(agent.script().path().toString());
        }
        Path log = log(agent);
        long logStart = prepareLog(log, "spawn " + String.join(" ", command));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(machine.fleetRoot().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        builder.environment().putAll(machine.environment());
        if (agent.port() != null) {
            builder.environment().put("PORT", String.valueOf(agent.port()));
        }
        if (agent.healthCheckPort() != null) {
            builder.environment().put("HEALTH_PORT", String.valueOf(agent.healthCheckPort()));
        }
        Instant spawnedAt = Instant.now();
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new StartOutcome.NotStartable(agent.id(), "cannot run %s: %s (set global_settings.%s in %s)"
                    .formatted(agent.java() != null ? agent.java().launcher() : machine.python(), e.getMessage(),
                            agent.java() != null ? "java" : "python", agent.configFile()));
        }
        SupervisedProcess supervised = new SupervisedProcess(process.pid(),
                process.info().startInstant().orElse(spawnedAt), spawnedAt, command, log);
        writePidFile(agent, supervised);
        String shown = String.join(" ", command);
        StartOutcome outcome = awaitHealthy(agent, target.get(), StartOutcome.Method.SUPERVISED, process.toHandle(), spawnedAt, started,
                shown, log, logStart, () -> process.isAlive() ? null : "the process exited with status " + process.exitValue());
        boolean crashed = !outcome.healthy() && !process.isAlive(); // it exited by itself, before fleetshell stops it
        if (outcome instanceof StartOutcome.Unhealthy && process.isAlive()) {
            terminate(agent, process.toHandle(), process.pid());
        }
        if (!outcome.healthy()) {
            deletePidFile(agent);
            if (crashed) {
                writeExitRecord(agent, supervised, process.exitValue());
            }
        }
        return store(outcome);
    }

    private StartOutcome runRestartCommand(Agent agent) {
        Machine machine = machine(agent);
        String command = substitute(agent.commands().restart(), agent);
        Optional<ProbeTarget> target = ProbeTarget.of(agent, machine);
        if (target.isEmpty()) {
            return new StartOutcome.NotStartable(agent.id(),
                    "it has no health_check_port or port, so fleetshell could not tell when it is up; add one to its config");
        }
        Path log = log(agent);
        long logStart = prepareLog(log, "restart_command " + command);
        Instant spawnedAt = Instant.now();
        long started = System.nanoTime();
        try {
            ProcessResult run = ProcessRun.shell(command).in(machine.fleetRoot()).environment(machine.environment())
                    .appendingOutputTo(log).timeout(startTimeout).run();
            if (run.timedOut()) {
                return store(new StartOutcome.Unhealthy(agent.id(), StartOutcome.Method.RESTART_COMMAND, 0, spawnedAt,
                        elapsed(started), target.get().describe(), "restart_command did not finish within "
                        + startTimeout.toSeconds() + " s and was killed", tail(log, logStart), command, null));
            }
            if (run.exitStatus() != 0) {
                return store(new StartOutcome.Unhealthy(agent.id(), StartOutcome.Method.RESTART_COMMAND, 0, spawnedAt,
                        elapsed(started), target.get().describe(), "restart_command exited with status " + run.exitStatus(),
                        tail(log, logStart), command, null));
            }
        } catch (CannotStartException e) {
            return new StartOutcome.NotStartable(agent.id(), "cannot run sh -c '%s': %s".formatted(command, e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StartOutcome.NotStartable(agent.id(), "interrupted while its restart_command ran");
        }
        return store(awaitHealthy(agent, target.get(), StartOutcome.Method.RESTART_COMMAND, null, spawnedAt, started, command,
                log, logStart, () -> null));
    }

    /**
     * Polls the health check until it answers, the process dies ({@code exited} says why) or the start timeout passes.
     * A probe started before the start timeout runs for its whole probe timeout: cut short by the start's deadline it
     * would end as "no answer within 1 ms" and hide the agent's real last answer (an HTTP 500, say), so the start may
     * overrun its timeout by at most one probe timeout.
     */
    private StartOutcome awaitHealthy(Agent agent, ProbeTarget target, StartOutcome.Method method, ProcessHandle process,
                                      Instant spawnedAt, long started, String command, Path log, long logStart,
                                      java.util.function.Supplier<String> exited) {
        long deadline = started + startTimeout.toNanos();
        long pid = process == null ? 0 : process.pid();
        ProbeResult last = null;
        while (true) {
            String death = exited.get();
            if (death != null) {
                return new StartOutcome.Unhealthy(agent.id(), method, pid, spawnedAt, elapsed(started), target.describe(), death,
                        tail(log, logStart), command, null);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String lastAnswer = last == null ? "" : " (last probe: " + last.oneLine() + ")";
                return new StartOutcome.Unhealthy(agent.id(), method, pid, spawnedAt, elapsed(started), target.describe(),
                        "no healthy answer within %d s%s".formatted(startTimeout.toSeconds(), lastAnswer), tail(log, logStart),
                        command, null);
            }
            last = probe.probe(target);
            if (last.healthy()) {
                // The start ends when the answer arrived, not when the probe was sent.
                return new StartOutcome.Healthy(agent.id(), method, pid, spawnedAt, elapsed(started), target.describe(), command, null);
            }
            sleep(POLL);
        }
    }

    private StartOutcome store(StartOutcome outcome) {
        return switch (outcome) {
            case StartOutcome.Healthy h -> h.stored(history.recordStart(h));
            case StartOutcome.Unhealthy u -> u.stored(history.recordStart(u));
            default -> outcome;
        };
    }

    private StopOutcome terminate(Agent agent, ProcessHandle handle, long pid) {
        if (handle == null || !handle.isAlive()) {
            return new StopOutcome.NotRunning(agent.id(), "pid %d had already exited".formatted(pid));
        }
        long started = System.nanoTime();
        handle.destroy();
        try {
            handle.onExit().get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return new StopOutcome.Terminated(agent.id(), pid, elapsed(started));
        } catch (TimeoutException e) {
            handle.destroyForcibly();
            Duration waited = elapsed(started);
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException ignored) {
                // SIGKILL cannot be ignored; a process still there is stuck in the kernel and nothing more can be done
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return new StopOutcome.Killed(agent.id(), pid, waited);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted while stopping " + agent.id()
                    + "; it was sent SIGTERM");
        }
    }

    private String notRunningReason(Agent agent) {
        Optional<SupervisedProcess> recorded = readPidFile(agent);
        if (recorded.isPresent()) {
            deletePidFile(agent);
            return "pid %d, started by fleetshell %s, had already exited (see %s)".formatted(recorded.get().pid(),
                    recorded.get().spawnedAt(), recorded.get().log());
        }
        if (agent.commands().restart() != null) {
            return "managed elsewhere (restart_command); stop it where it is managed";
        }
        return "fleetshell has not started it";
    }

    private static boolean stillOurs(SupervisedProcess recorded) {
        Optional<ProcessHandle> handle = ProcessHandle.of(recorded.pid());
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        ProcessHandle.Info info = handle.get().info();
        boolean sameStart = info.startInstant()
                .map(s -> Duration.between(s, recorded.processStart()).abs().compareTo(SAME_PROCESS_TOLERANCE) <= 0)
                .orElse(false);
        String script = recorded.command().getLast();
        boolean sameScript = info.arguments().map(args -> List.of(args).contains(script)).orElse(true);
        return sameStart && sameScript;
    }

    private Path pidFile(Agent agent) {
        return home.agentPidFile(agent.machine(), agent.name());
    }

    private Optional<SupervisedProcess> readPidFile(Agent agent) {
        Path file = pidFile(agent);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(Files.readString(file));
            List<String> command = new ArrayList<>();
            node.get("command").forEach(c -> command.add(c.asString()));
            return Optional.of(new SupervisedProcess(node.get("pid").asLong(), Instant.parse(node.get("process_start").asString()),
                    Instant.parse(node.get("spawned_at").asString()), command, Path.of(node.get("log").asString())));
        } catch (IOException | RuntimeException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "%s is not a pid file fleetshell can read (%s). If no agent runs"
                    + " from it, delete it; if one does, stop that process by hand first.".formatted(file, e.getMessage()));
        }
    }

    private void writePidFile(Agent agent, SupervisedProcess process) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agent", agent.id().toString());
        m.put("pid", process.pid());
        m.put("process_start", process.processStart().toString());
        m.put("spawned_at", process.spawnedAt().toString());
        m.put("command", process.command());
        m.put("log", process.log().toString());
        Path file = pidFile(agent);
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, JSON.writeValueAsString(m));
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(exitFile(agent));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deletePidFile(Agent agent) {
        try {
            Files.deleteIfExists(pidFile(agent));
            Files.deleteIfExists(exitFile(agent));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where a start that crashed is remembered: the process exited before it became healthy, so it has no pid file,
     * and {@code agents status} must not call it "not started by fleetshell". The next start or stop removes it.
     */
    private Path exitFile(Agent agent) {
        return home.run().resolve(agent.machine()).resolve(agent.name() + ".exit.json");
    }

    private void writeExitRecord(Agent agent, SupervisedProcess process, int status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agent", agent.id().toString());
        m.put("pid", process.pid());
        m.put("spawned_at", process.spawnedAt().toString());
        m.put("exited_at", Instant.now().toString());
        m.put("exit_status", status);
        m.put("log", process.log().toString());
        try {
            Files.createDirectories(exitFile(agent).getParent());
            Files.writeString(exitFile(agent), JSON.writeValueAsString(m));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The crashed start, in words, when one is remembered. */
    private Optional<String> exitRecord(Agent agent) {
        Path file = exitFile(agent);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(Files.readString(file));
            return Optional.of("crashed: pid %d, started by fleetshell %s, exited with status %d before it was healthy (see %s)"
                    .formatted(node.get("pid").asLong(), node.get("spawned_at").asString(), node.get("exit_status").asInt(),
                            node.get("log").asString()));
        } catch (IOException | RuntimeException e) {
            return Optional.of("crashed: fleetshell started it and it exited before it was healthy; its record " + file
                    + " cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Appends a header line to the log and returns where this start's output begins. */
    private static long prepareLog(Path log, String what) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "--- fleetshell %s: %s%n".formatted(Instant.now(), what), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            return Files.size(log);
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot write the agent log " + log + ": " + e.getMessage()
                    + ". Make FLEETSHELL_HOME writable. Nothing was started.", e);
        }
    }

    /** The last lines this start wrote to the log. */
    private static String tail(Path log, long from) {
        try {
            byte[] all = Files.readAllBytes(log);
            String text = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from), StandardCharsets.UTF_8);
            List<String> lines = text.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** Resident memory from {@code /proc/PID/status}, or null where there is none. */
    static Long residentKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    private Machine machine(Agent agent) {
        return inventory.machine(agent.machine()).orElseThrow(() -> new IllegalStateException("no machine " + agent.machine()));
    }

    /** {@code {name}}, {@code {machine}} and {@code {script}}, each quoted for sh. */
    static String substitute(String command, Agent agent) {
        String script = agent.script().found() ? agent.script().path().toString() : agent.scriptPath();
        return command.replace("{name}", quote(agent.name())).replace("{machine}", quote(agent.machine()))
                .replace("{script}", quote(script == null ? "" : script));
    }

    private static String quote(String value) {
        return value.matches("[A-Za-z0-9_./:=@%+-]+") ? value : "'" + value.replace("'", "'\\''") + "'";
    }

    private static Duration elapsed(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted while waiting for an agent to become healthy");
        }
    }
}
