package io.fleetshell.engine.runtime;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
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
 * The agents fleetshell runs on this computer: spawned with {@code setsid} so that they outlive the shell and a Ctrl-C
 * there, stdout and stderr appended to {@code FLEETSHELL_HOME/logs/MACHINE/AGENT.log}, the pid with the process start
 * time in {@code FLEETSHELL_HOME/run/MACHINE/AGENT.json}.
 *
 * <p>They are the one kind of child not started through {@link ProcessRun}: they are meant to outlive the command that
 * started them (and fleetshell itself), so they are detached rather than owned: no timeout, no kill of their tree when
 * the shell exits, output to their log rather than kept in memory, and a pid file through which a later shell finds
 * them again.
 */
final class LocalProcesses implements AgentProcesses {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /**
     * Without clock ticks (no {@code /proc}, or an old pid file): the OS start time and the one stored can differ by
     * rounding; a reused pid starts much later.
     */
    private static final Duration SAME_PROCESS_TOLERANCE = Duration.ofSeconds(2);
    private static final Path SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid")).stream()
            .filter(Files::isExecutable).findFirst().orElse(null);

    private final FleetHome home;

    LocalProcesses(FleetHome home) {
        this.home = home;
    }

    @Override
    public Look look(Agent agent) {
        Optional<SupervisedProcess> recorded = readPidFile(agent);
        if (recorded.isPresent() && stillOurs(recorded.get())) {
            return new Look(recorded.get(), null, null, residentKb(recorded.get().pid()));
        }
        return new Look(null, recorded.orElse(null), recorded.isPresent() ? null : exitRecord(agent).orElse(null), null);
    }

    @Override
    public Spawned spawn(Agent agent, List<String> command, Path directory, Map<String, String> environment)
            throws CannotSpawn {
        List<String> argv = new ArrayList<>();
        if (SETSID != null) {
            argv.add(SETSID.toString());
        }
        argv.addAll(command);
        Path log = log(agent);
        long logStart = prepareLog(log, "spawn " + String.join(" ", argv));
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Instant spawnedAt = Instant.now();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CannotSpawn(e.getMessage(), e);
        }
        SupervisedProcess supervised = new SupervisedProcess(process.pid(), process.info().startInstant().orElse(spawnedAt),
                ProcStat.of(process.pid()).map(ProcStat::startTicks).orElse(null), spawnedAt, argv, log);
        writePidFile(agent, supervised);
        return new Spawned() {
            @Override
            public SupervisedProcess process() {
                return supervised;
            }

            @Override
            public long logOffset() {
                return logStart;
            }

            @Override
            public String exited() {
                return process.isAlive() ? null : "the process exited with status " + process.exitValue();
            }

            @Override
            public void terminate(Duration grace) {
                LocalProcesses.terminate(agent, process.toHandle(), process.pid(), grace);
            }

            @Override
            public void forget(boolean crashed) {
                // only this start's record: a start beside it (two measurements of one agent at once) may have written
                // its own since, and deleting that would leave its healthy process running untracked
                if (readPidFile(agent).map(r -> r.pid() != supervised.pid()).orElse(false)) {
                    return;
                }
                deletePidFile(agent);
                if (crashed) {
                    writeExitRecord(agent, supervised, process.exitValue());
                }
            }
        };
    }

    @Override
    public StopOutcome stop(Agent agent, Duration grace) {
        Optional<SupervisedProcess> recorded = readPidFile(agent);
        if (recorded.isEmpty() || !stillOurs(recorded.get())) {
            return new StopOutcome.NotRunning(agent.id(), notRunningReason(agent, recorded));
        }
        long pid = recorded.get().pid();
        StopOutcome outcome = terminate(agent, ProcessHandle.of(pid).orElse(null), pid, grace);
        deletePidFile(agent);
        return outcome;
    }

    @Override
    public StopOutcome stopUntracked(Agent agent, long pid, Instant spawnedAt, Duration grace) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcStat::running);
        if (handle.isEmpty()) {
            return new StopOutcome.NotRunning(agent.id(), "pid %d had already exited".formatted(pid));
        }
        if (readPidFile(agent).map(r -> r.pid() == pid).orElse(false)) {
            return new StopOutcome.NotRunning(agent.id(), "pid %d is the agent's tracked process".formatted(pid));
        }
        ProcessHandle.Info info = handle.get().info();
        boolean startedSince = info.startInstant().map(s -> !s.isBefore(spawnedAt.minus(SAME_PROCESS_TOLERANCE))).orElse(false);
        String script = agent.script().found() ? agent.script().path().toString() : null;
        boolean sameScript = script == null || info.arguments().map(args -> List.of(args).contains(script)).orElse(true);
        if (!startedSince || !sameScript) {
            return new StopOutcome.NotRunning(agent.id(), "pid %d is no longer the process fleetshell spawned".formatted(pid));
        }
        return terminate(agent, handle.get(), pid, grace);
    }

    @Override
    public RestartRun restartCommand(Agent agent, String command, Path directory, Map<String, String> environment, Duration timeout)
            throws CannotStartException, InterruptedException {
        Path log = log(agent);
        long logStart = prepareLog(log, "restart_command " + command);
        ProcessResult run = ProcessRun.shell(command).in(directory).environment(environment).appendingOutputTo(log).timeout(timeout).run();
        return new RestartRun(run, logStart);
    }

    @Override
    public String tail(Agent agent, long from) {
        try {
            byte[] all = Files.readAllBytes(log(agent));
            String text = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from), StandardCharsets.UTF_8);
            List<String> lines = text.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String logShown(Agent agent) {
        return log(agent).toString();
    }

    @Override
    public LogTail.End last(Agent agent, int lines) throws IOException {
        Path log = log(agent);
        return Files.isRegularFile(log) ? new LogTail(log).last(lines) : null;
    }

    @Override
    public LogTail.Chunk read(Agent agent, long offset, int max) throws IOException {
        return LogTail.Chunk.of(log(agent), offset, max);
    }

    Path log(Agent agent) {
        return home.agentLog(agent.machine(), agent.name());
    }

    private static StopOutcome terminate(Agent agent, ProcessHandle handle, long pid, Duration grace) {
        if (handle == null || !ProcStat.running(handle)) {
            return new StopOutcome.NotRunning(agent.id(), "pid %d had already exited".formatted(pid));
        }
        long started = System.nanoTime();
        handle.destroy();
        try {
            if (awaitExit(handle, grace)) {
                return new StopOutcome.Terminated(agent.id(), pid, Duration.ofNanos(System.nanoTime() - started));
            }
            handle.destroyForcibly();
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            // SIGKILL cannot be ignored; a process still there afterwards is stuck in the kernel and nothing more can be done
            awaitExit(handle, Duration.ofSeconds(10));
            return new StopOutcome.Killed(agent.id(), pid, waited);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted while stopping " + agent.id()
                    + "; it was sent SIGTERM");
        }
    }

    /**
     * Waits until the process has exited: gone, or a zombie that its parent has not reaped yet (an agent an earlier shell
     * started belongs to init, which in a container may reap late or never; the JDK's onExit waits for the reaping).
     * False when {@code within} ran out first.
     */
    private static boolean awaitExit(ProcessHandle handle, Duration within) throws InterruptedException {
        java.util.concurrent.CompletableFuture<ProcessHandle> exit = handle.onExit();
        long deadline = System.nanoTime() + within.toNanos();
        while (ProcStat.running(handle)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                exit.get(Math.min(left, Duration.ofMillis(20).toNanos()), TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException poll) {
                // still there: look at its state again
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        return true;
    }

    private String notRunningReason(Agent agent, Optional<SupervisedProcess> recorded) {
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
        if (handle.isEmpty() || !ProcStat.running(handle.get())) {
            return false;
        }
        ProcessHandle.Info info = handle.get().info();
        boolean sameStart = recorded.sameStart(ProcStat.of(recorded.pid()), info.startInstant(), SAME_PROCESS_TOLERANCE);
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
            return Optional.of(SupervisedProcess.fromJson(JSON.readTree(Files.readString(file))));
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
        m.put("start_ticks", process.startTicks());
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
}
