package io.fleetshell.engine.runtime;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.ShippedPrograms;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agents fleetshell runs on a remote host: each operation is one run of {@code remote_agent.py} with the machine's
 * interpreter, shipped over the host's connection on stdin (nothing is left on the host but the agent's own files). The
 * agent is spawned there in a session of its own, its output appended to {@code STATE/logs/MACHINE/AGENT.log} and its pid
 * with the process start time in {@code STATE/run/MACHINE/AGENT.json}, where STATE is the host's state directory
 * ({@code ~/.fleetshell/remote} unless the machine's {@code state_dir:} says otherwise); a later
 * shell, on this computer or another sharing FLEETSHELL_HOME, finds it there. Stopping it signals its process group
 * there, so its children go with it.
 *
 * <p>A host that cannot be reached fails the one operation with the host's own message (the host, what was tried and
 * ssh's error line); the {@link Supervisor} turns that into the agent's outcome.
 */
final class RemoteProcesses implements AgentProcesses {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final byte[] HELPER = ShippedPrograms.python("remote_agent.py").getBytes(StandardCharsets.UTF_8);
    /** One operation once connected: a spawn or a look is milliseconds, a stop waits at most its grace time on top. */
    private static final Duration OPERATION = Duration.ofSeconds(30);
    /** Liveness of a start is asked of the host at most this often (each ask is a round trip). */
    private static final Duration ALIVE_EVERY = Duration.ofMillis(500);

    private final Host host;
    private final String python;
    private final Path state;

    /**
     * @param state the host's state directory as the machine's {@code state_dir:} writes it: relative to the remote
     *              user's home, or absolute (the helper resolves it there, so no round trip asks for it)
     */
    RemoteProcesses(Host host, String python, String state) {
        this.host = host;
        this.python = python;
        this.state = Path.of(state);
    }

    @Override
    public Look look(Agent agent) {
        JsonNode answer = call("status", paths(agent));
        return switch (answer.get("state").asString()) {
            case "running" -> new Look(SupervisedProcess.fromJson(answer.get("record")), null, null,
                    answer.get("rss_kb").isNull() ? null : answer.get("rss_kb").asLong());
            case "gone" -> new Look(null, SupervisedProcess.fromJson(answer.get("record")), null, null);
            case "crashed" -> {
                JsonNode crash = answer.get("crash");
                yield new Look(null, null, "crashed: pid %d, started by fleetshell %s, exited before it was healthy (see %s)"
                        .formatted(crash.get("pid").asLong(), crash.get("spawned_at").asString(), shown(crash.get("log").asString())), null);
            }
            default -> new Look(null, null, null, null);
        };
    }

    @Override
    public Spawned spawn(Agent agent, List<String> command, Path directory, Map<String, String> environment) throws CannotSpawn {
        Map<String, Object> request = paths(agent);
        request.put("agent", agent.id().toString());
        request.put("directory", directory.toString());
        request.put("environment", environment);
        request.put("command", command);
        JsonNode answer;
        try {
            answer = call("start", request);
        } catch (FleetshellException e) {
            throw new CannotSpawn(e.getMessage(), e);
        }
        switch (answer.get("outcome").asString()) {
            case "cannot_start" -> throw new CannotSpawn("on %s: %s".formatted(host.describe(), answer.get("error").asString()), null);
            case "already_running" -> throw new CannotSpawn("pid %d already runs it on %s (started %s)".formatted(answer.get("pid").asLong(),
                    host.describe(), answer.get("spawned_at").asString()), null);
            default -> {
                // started
            }
        }
        tools.jackson.databind.JsonNode ticks = answer.get("start_ticks");
        SupervisedProcess process = new SupervisedProcess(answer.get("pid").asLong(), Instant.parse(answer.get("process_start").asString()),
                ticks == null || ticks.isNull() ? null : ticks.asLong(), Instant.parse(answer.get("spawned_at").asString()), command,
                Path.of(logPath(agent)));
        long offset = answer.get("log_offset").asLong();
        return new Spawned() {
            private long asked;
            private String gone;

            @Override
            public SupervisedProcess process() {
                return process;
            }

            @Override
            public long logOffset() {
                return offset;
            }

            @Override
            public String exited() {
                if (gone != null || System.nanoTime() - asked < ALIVE_EVERY.toNanos()) {
                    return gone;
                }
                asked = System.nanoTime();
                Look look = look(agent);
                if (look.running() == null) {
                    gone = "the process exited on %s (its exit status stays there: see the log)".formatted(host.describe());
                }
                return gone;
            }

            @Override
            public void terminate(Duration grace) {
                stop(agent, grace);
            }

            @Override
            public void forget(boolean crashed) {
                call("exited", paths(agent));
            }
        };
    }

    @Override
    public StopOutcome stop(Agent agent, Duration grace) {
        Map<String, Object> request = paths(agent);
        request.put("grace_seconds", grace.toMillis() / 1000.0);
        JsonNode answer = call("stop", request, OPERATION.plus(grace));
        return switch (answer.get("outcome").asString()) {
            case "terminated" -> new StopOutcome.Terminated(agent.id(), answer.get("pid").asLong(),
                    Duration.ofMillis(answer.get("took_ms").asLong()));
            case "killed" -> new StopOutcome.Killed(agent.id(), answer.get("pid").asLong(), Duration.ofMillis(answer.get("took_ms").asLong()));
            default -> new StopOutcome.NotRunning(agent.id(), "gone".equals(answer.get("reason").asString())
                    ? "pid %d, started by fleetshell %s, had already exited (see %s)".formatted(answer.get("record").get("pid").asLong(),
                    answer.get("record").get("spawned_at").asString(), logShown(agent))
                    : agent.commands().restart() != null ? "managed elsewhere (restart_command); stop it where it is managed"
                    : "fleetshell has not started it");
        };
    }

    @Override
    public StopOutcome stopUntracked(Agent agent, long pid, Instant spawnedAt, Duration grace) {
        Map<String, Object> request = paths(agent);
        request.put("pid", pid);
        request.put("spawned_at", spawnedAt.toEpochMilli() / 1000.0);
        request.put("script", agent.script().found() ? agent.script().path().toString() : String.valueOf(agent.scriptPath()));
        request.put("grace_seconds", grace.toMillis() / 1000.0);
        JsonNode answer = call("stop_untracked", request, OPERATION.plus(grace));
        return switch (answer.get("outcome").asString()) {
            case "terminated" -> new StopOutcome.Terminated(agent.id(), pid, Duration.ofMillis(answer.get("took_ms").asLong()));
            case "killed" -> new StopOutcome.Killed(agent.id(), pid, Duration.ofMillis(answer.get("took_ms").asLong()));
            default -> new StopOutcome.NotRunning(agent.id(), answer.get("reason").asString());
        };
    }

    @Override
    public RestartRun restartCommand(Agent agent, String command, Path directory, Map<String, String> environment, Duration timeout)
            throws CannotStartException, InterruptedException {
        String log = logPath(agent);
        // The header and the command's output go to the agent's log on the host, as they do on this computer.
        // A relative state directory is relative to the user's home, not to the machine's root the command runs in.
        String line = "l=$1; case $l in /*) ;; *) l=$HOME/$l ;; esac; mkdir -p \"$(dirname \"$l\")\" && printf '%s\\n' \"$2\" >> \"$l\" "
                + "&& wc -c < \"$l\" && exec sh -c \"$3\" < /dev/null >> \"$l\" 2>&1";
        ProcessRun run = ProcessRun.of("sh", "-c", line, "sh", log, "--- fleetshell %s: restart_command %s".formatted(Instant.now(), command),
                command).in(directory).environment(environment).timeout(timeout);
        ProcessResult result = host.run(run);
        long offset = 0;
        try {
            offset = Long.parseLong(result.stdout().strip());
        } catch (NumberFormatException e) {
            // the header could not be written: the tail then starts at the log's beginning
        }
        return new RestartRun(result, offset);
    }

    @Override
    public String tail(Agent agent, long from) {
        try {
            LogTail.Chunk chunk = read(agent, from, 64 * 1024);
            List<String> lines = new String(chunk.bytes(), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public String logShown(Agent agent) {
        return shown(logPath(agent));
    }

    @Override
    public LogTail.End last(Agent agent, int lines) throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("log", logPath(agent));
        request.put("lines", lines);
        JsonNode answer = io(() -> call("tail", request));
        if (!answer.get("exists").asBoolean()) {
            return null;
        }
        List<String> text = new ArrayList<>();
        answer.get("lines").forEach(l -> text.add(l.asString()));
        return new LogTail.End(text, answer.get("offset").asLong());
    }

    @Override
    public LogTail.Chunk read(Agent agent, long offset, int max) throws IOException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("log", logPath(agent));
        request.put("offset", offset);
        request.put("max", max);
        JsonNode answer = io(() -> call("read", request));
        return new LogTail.Chunk(Base64.getDecoder().decode(answer.get("data").asString()), answer.get("size").asLong());
    }

    private String shown(String path) {
        return host.name() + ":" + (Path.of(path).isAbsolute() ? path : "~/" + path);
    }

    private Map<String, Object> paths(Agent agent) {
        Path run = state.resolve("run").resolve(FleetHome.fileName(agent.machine()));
        Map<String, Object> paths = new LinkedHashMap<>();
        paths.put("pid_file", run.resolve(FleetHome.fileName(agent.name() + ".json")).toString());
        paths.put("exit_file", run.resolve(FleetHome.fileName(agent.name() + ".exit.json")).toString());
        paths.put("log", logPath(agent));
        return paths;
    }

    private String logPath(Agent agent) {
        return state.resolve("logs").resolve(FleetHome.fileName(agent.machine())).resolve(FleetHome.fileName(agent.name() + ".log")).toString();
    }

    private JsonNode call(String operation, Map<String, Object> request) {
        return call(operation, request, OPERATION);
    }

    /** One run of the helper on the host; an unreachable host or a failed run is an error naming the host and what was tried. */
    private JsonNode call(String operation, Map<String, Object> request, Duration timeout) {
        ProcessRun run = ProcessRun.of(python, "-", operation, JSON.writeValueAsString(request)).stdin(HELPER).timeout(timeout);
        ProcessResult result;
        try {
            result = host.run(run);
        } catch (CannotStartException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted during agents %s on machine %s".formatted(operation, host.name()));
        }
        if (result.timedOut()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "agents %s on machine %s (%s): no answer within %d s; tried: %s - %s"
                    .formatted(operation, host.name(), host.describe(), timeout.toSeconds(), python, operation));
        }
        if (!result.ok()) {
            String line = result.stderr().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("exit status " + result.exitStatus());
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "agents %s on machine %s (%s) failed: %s (tried: %s - %s)"
                    .formatted(operation, host.name(), host.describe(), line.strip(), python, operation));
        }
        return JSON.readTree(result.report());
    }

    private interface Call {
        JsonNode run();
    }

    /** A helper failure while reading a log, as the IOException that log readers expect. */
    private static JsonNode io(Call call) throws IOException {
        try {
            return call.run();
        } catch (FleetshellException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
