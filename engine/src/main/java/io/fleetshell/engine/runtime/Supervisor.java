package io.fleetshell.engine.runtime;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.InParallel;
import io.fleetshell.engine.inventory.Hosts;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.host.SshHost;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts, stops, restarts and looks at agents. An agent with a {@code restart_command} is managed
 * elsewhere: (re)starting it runs that command. Any other agent fleetshell runs itself: its script
 * with its machine's interpreter, in the fleet root, with the machine's {@code global_settings.environment}
 * plus {@code PORT} and {@code HEALTH_PORT}, in a session of its own so that it outlives the shell and a Ctrl-C
 * there, its output appended to its log and its pid with the process start time in its pid file. Where the process,
 * the log and the pid file live is the machine's ({@link AgentProcesses}): {@code FLEETSHELL_HOME/logs/MACHINE/AGENT.log}
 * and {@code FLEETSHELL_HOME/run/MACHINE/AGENT.json} on this computer, the same names under the remote state
 * directory on a remote host.
 *
 * <p>Every (re)start is measured from the spawn (or the restart command's start) until the health
 * probe answers, and stored through {@link RuntimeHistory} as a time-to-healthy sample; so is every
 * probe {@link #status} takes.
 */
public final class Supervisor {

    private static final Duration POLL = Duration.ofMillis(20);

    private final Inventory inventory;
    private final RuntimeHistory history;
    private final HealthProbe probe = new HealthProbe();
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final LocalProcesses local;
    private final Hosts hosts;
    private final Reach reach;
    private final Map<String, RemoteProcesses> remote = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param startTimeout how long a start may take to become healthy before it counts as failed (and
     *                     the process is stopped)
     * @param stopTimeout  how long an agent gets after SIGTERM before SIGKILL
     */
    public Supervisor(FleetHome home, Inventory inventory, RuntimeHistory history, Duration startTimeout, Duration stopTimeout) {
        this.inventory = inventory;
        this.history = history;
        this.startTimeout = startTimeout;
        this.stopTimeout = stopTimeout;
        this.local = new LocalProcesses(home);
        this.hosts = Hosts.local(home);
        this.reach = new Reach(home);
    }

    /**
     * Starts the agent unless fleetshell already runs it; measures and stores its time-to-healthy. A machine that cannot
     * be reached makes the agent not startable, with the host's message.
     */
    public StartOutcome start(Agent agent) {
        try {
            return starting(agent);
        } catch (FleetshellException e) {
            return new StartOutcome.NotStartable(agent.id(), e.getMessage());
        }
    }

    private StartOutcome starting(Agent agent) {
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
        try {
            return restarting(agent);
        } catch (FleetshellException e) {
            return new StartOutcome.NotStartable(agent.id(), e.getMessage());
        }
    }

    private StartOutcome restarting(Agent agent) {
        if (running(agent).isPresent()) {
            stop(agent);
        } else if (agent.commands().restart() != null) {
            return runRestartCommand(agent);
        }
        return spawn(agent);
    }

    /**
     * SIGTERM, then SIGKILL when the agent has not exited within the stop timeout; a machine that cannot be reached is
     * the agent's failed stop, with the host's message.
     */
    public StopOutcome stop(Agent agent) {
        try {
            return processes(agent).stop(agent, stopTimeout);
        } catch (FleetshellException e) {
            return new StopOutcome.Failed(agent.id(), e.getMessage());
        }
    }

    /**
     * Stops a process that a start of this agent spawned ({@code start}) when fleetshell no longer tracks it (its pid file
     * names another process or none) and it still runs: what a measurement that fails partway leaves behind when another
     * start of the same agent overwrote or removed its record. The agent's tracked process, a process that is gone and a
     * reused pid are left alone (not running). A machine that cannot be reached is a failed stop, with the host's message.
     */
    public StopOutcome stopUntracked(Agent agent, StartOutcome.Healthy start) {
        if (start.method() != StartOutcome.Method.SUPERVISED || start.pid() <= 0) {
            return new StopOutcome.NotRunning(agent.id(), "a restart_command's process is managed elsewhere");
        }
        try {
            return processes(agent).stopUntracked(agent, start.pid(), start.spawnedAt(), stopTimeout);
        } catch (FleetshellException e) {
            return new StopOutcome.Failed(agent.id(), e.getMessage());
        }
    }

    /**
     * How the agent's health is checked, with its machine's settings, connecting where the agent can be reached
     * ({@link Reach}); empty when it has no port to check.
     */
    public Optional<ProbeTarget> healthTarget(Agent agent) {
        return reach.health(agent, inventory.machine(agent.machine()).orElse(null));
    }

    /** The agent's {@code /metrics} where it can be reached; empty without a health-check port. */
    public Optional<io.fleetshell.engine.metrics.ScrapeTarget> metricsTarget(Agent agent) {
        return reach.metrics(agent, inventory.machine(agent.machine()).orElse(null));
    }

    /** Where an analysis run's requests to the agent go; empty when the agent has no service port. */
    public Optional<ProbeTarget> trafficTarget(SyntheticTraffic traffic, Agent agent) {
        return reach.traffic(traffic, agent, inventory.machine(agent.machine()).orElse(null));
    }

    /**
     * Whether fleetshell runs the agent, and what its health check answers now (stored as a sample). When the agent's
     * machine cannot be reached, the status says so with the host's message, and the health check is still asked.
     */
    public AgentStatus status(Agent agent) {
        AgentProcesses.Look look;
        String unreachable = null;
        try {
            look = processes(agent).look(agent);
        } catch (FleetshellException e) {
            look = new AgentProcesses.Look(null, null, null, null);
            unreachable = e.getMessage();
        }
        Optional<ProbeTarget> target;
        try {
            target = healthTarget(agent);
        } catch (FleetshellException e) {
            target = Optional.empty();
            unreachable = unreachable == null ? e.getMessage() : unreachable;
        }
        ProbeResult result = target.map(probe::probe).orElse(null);
        if (result != null) {
            result = result.withRss(look.running() == null ? null : look.rssKb());
            history.recordProbe(result);
        }
        if (unreachable != null) {
            return new AgentStatus(agent.id(), AgentStatus.Supervision.UNREACHABLE, null, result, unreachable);
        }
        if (look.running() != null) {
            return new AgentStatus(agent.id(), AgentStatus.Supervision.RUNNING, look.running(), result,
                    "pid %d, started %s".formatted(look.running().pid(), look.running().spawnedAt()));
        }
        if (look.gone() != null) {
            return new AgentStatus(agent.id(), AgentStatus.Supervision.EXITED, null, result,
                    "pid %d, started by fleetshell %s, is gone: it exited or was killed outside fleetshell (see %s)"
                            .formatted(look.gone().pid(), look.gone().spawnedAt(), processes(agent).logShown(agent)));
        }
        if (look.crashed() != null) {
            return new AgentStatus(agent.id(), AgentStatus.Supervision.EXITED, null, result, look.crashed());
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
        return Optional.ofNullable(processes(agent).look(agent).running());
    }

    /** Where the agent's output goes, as a user reads it: a path, or {@code HOST:PATH} on a remote machine. */
    public String logShown(Agent agent) {
        return processes(agent).logShown(agent);
    }

    /** The log's last {@code lines} lines (all for 0) and where it ended, or null when the agent has no log yet. */
    public LogTail.End lastLog(Agent agent, int lines) throws java.io.IOException {
        return processes(agent).last(agent, lines);
    }

    /** A reader of the agent's log from an offset onwards, wherever the log is. */
    public LogTail logTail(Agent agent) {
        AgentProcesses processes = processes(agent);
        return new LogTail(Path.of(processes.logShown(agent)), (offset, max) -> processes.read(agent, offset, max));
    }

    /** The last lines of the agent's log, or an empty list when it has none or it cannot be read (a dashboard's detail). */
    public List<String> lastLogQuietly(Agent agent, int lines) {
        try {
            LogTail.End end = lastLog(agent, lines);
            return end == null ? List.of() : end.lines();
        } catch (java.io.IOException | RuntimeException e) {
            return List.of("(cannot read " + logShown(agent) + ": " + e.getMessage() + ")");
        }
    }

    /**
     * Starts (or, with {@code action} {@link #restart}, restarts) the agents: one host's agents one after another (they
     * compete for its cores, which would distort their time-to-healthy), different hosts in parallel, up to
     * {@link #forks} at once; {@code each} hears every outcome as it comes. Results in the agents' order.
     */
    public List<StartOutcome> startAll(List<Agent> agents, java.util.function.BiFunction<Supervisor, Agent, StartOutcome> action,
                                       java.util.function.Consumer<StartOutcome> each) {
        return InParallel.byGroup(agents, this::hostOf, forks(agents), agent -> {
            StartOutcome outcome = action.apply(this, agent);
            each.accept(outcome);
            return outcome;
        }, "starting agents");
    }

    /**
     * Stops the agents: every agent on this computer at once (an agent may take seconds to finish its requests after
     * SIGTERM, and one by one would add those up), remote hosts up to {@link #forks} at once, one host's agents one after
     * another; {@code each} hears every outcome as it comes. Results in the agents' order.
     */
    public List<StopOutcome> stopAll(List<Agent> agents, java.util.function.Consumer<StopOutcome> each) {
        long here = agents.stream().filter(a -> hosts.of(machine(a)) instanceof LocalHost).count();
        return InParallel.byGroup(agents, a -> hosts.of(machine(a)) instanceof LocalHost ? a.id() : hostOf(a),
                (int) Math.min(Integer.MAX_VALUE, here + forks(agents)), agent -> {
                    StopOutcome outcome = stop(agent);
                    each.accept(outcome);
                    return outcome;
                }, "stopping agents");
    }

    /**
     * The status of each agent ({@link #status}): up to 8 agents of this computer at once (a probe may wait its whole
     * timeout), remote hosts up to {@link #forks} at once besides (one after another they would add up their round
     * trips), one host's agents one after another. Results in the agents' order.
     */
    public List<AgentStatus> statusAll(List<Agent> agents) {
        long here = agents.stream().filter(a -> hosts.of(machine(a)) instanceof LocalHost).count();
        return InParallel.byGroup(agents, a -> hosts.of(machine(a)) instanceof LocalHost ? a.id() : hostOf(a),
                (int) Math.min(8, here) + forks(agents), this::status, "looking at agents");
    }

    /** How many hosts are worked on at once for these agents ({@link Machine#forks}). */
    public int forks(List<Agent> agents) {
        return Machine.forks(agents.stream().map(this::machine).distinct().toList());
    }

    /** The host the agent's work runs on, to group by ({@link Machine#host}). */
    private String hostOf(Agent agent) {
        return machine(agent).host();
    }

    /** The agent's machine's processes: this computer's, or its host's through the transport. */
    private AgentProcesses processes(Agent agent) {
        Machine machine = machine(agent);
        return switch (hosts.of(machine)) {
            case LocalHost l -> local;
            case SshHost ssh -> remote.computeIfAbsent(machine.name(), name -> new RemoteProcesses(ssh, machine.python(), machine.ssh().stateDir()));
        };
    }

    private StartOutcome spawn(Agent agent) {
        Machine machine = machine(agent);
        if (!agent.script().found()) {
            return new StartOutcome.NotStartable(agent.id(), "its script was not found (" + agent.script().detail() + ")");
        }
        Optional<ProbeTarget> target = healthTarget(agent);
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
        if (agent.java() != null) {
            command.addAll(agent.java().command(agent.script().path(), machine.fleetRoot()));
        } else {
            command.add(machine.python());
            command.add(agent.script().path().toString());
        }
        Map<String, String> environment = new LinkedHashMap<>(machine.environment());
        if (agent.port() != null) {
            environment.put("PORT", String.valueOf(agent.port()));
        }
        if (agent.healthCheckPort() != null) {
            environment.put("HEALTH_PORT", String.valueOf(agent.healthCheckPort()));
        }
        AgentProcesses processes = processes(agent);
        long started = System.nanoTime();
        AgentProcesses.Spawned spawned;
        try {
            spawned = processes.spawn(agent, command, machine.fleetRoot(), environment);
        } catch (AgentProcesses.CannotSpawn e) {
            return new StartOutcome.NotStartable(agent.id(), "cannot run %s: %s (set global_settings.%s in %s)"
                    .formatted(agent.java() != null ? agent.java().launcher() : machine.python(), e.getMessage(),
                            agent.java() != null ? "java" : "python", agent.configFile()));
        }
        SupervisedProcess supervised = spawned.process();
        String shown = String.join(" ", supervised.command());
        StartOutcome outcome = awaitHealthy(agent, target.get(), StartOutcome.Method.SUPERVISED, supervised.pid(),
                supervised.spawnedAt(), started, shown, spawned.logOffset(), spawned::exited);
        if (!outcome.healthy()) {
            boolean crashed = spawned.exited() != null; // it exited by itself, before fleetshell stops it
            if (outcome instanceof StartOutcome.Unhealthy && !crashed) {
                spawned.terminate(stopTimeout);
            }
            spawned.forget(crashed);
        }
        return store(outcome);
    }

    private StartOutcome runRestartCommand(Agent agent) {
        Machine machine = machine(agent);
        String command = substitute(agent.commands().restart(), agent);
        Optional<ProbeTarget> target = healthTarget(agent);
        if (target.isEmpty()) {
            return new StartOutcome.NotStartable(agent.id(),
                    "it has no health_check_port or port, so fleetshell could not tell when it is up; add one to its config");
        }
        Instant spawnedAt = Instant.now();
        long started = System.nanoTime();
        long logStart;
        try {
            AgentProcesses.RestartRun restart = processes(agent).restartCommand(agent, command, machine.fleetRoot(),
                    machine.environment(), startTimeout);
            ProcessResult run = restart.result();
            logStart = restart.logOffset();
            if (run.timedOut()) {
                return store(new StartOutcome.Unhealthy(agent.id(), StartOutcome.Method.RESTART_COMMAND, 0, spawnedAt,
                        elapsed(started), target.get().describe(), "restart_command did not finish within "
                        + startTimeout.toSeconds() + " s and was killed", processes(agent).tail(agent, logStart), command, null));
            }
            if (run.exitStatus() != 0) {
                return store(new StartOutcome.Unhealthy(agent.id(), StartOutcome.Method.RESTART_COMMAND, 0, spawnedAt,
                        elapsed(started), target.get().describe(), "restart_command exited with status " + run.exitStatus(),
                        processes(agent).tail(agent, logStart), command, null));
            }
        } catch (CannotStartException e) {
            return new StartOutcome.NotStartable(agent.id(), "cannot run sh -c '%s': %s".formatted(command, e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StartOutcome.NotStartable(agent.id(), "interrupted while its restart_command ran");
        }
        return store(awaitHealthy(agent, target.get(), StartOutcome.Method.RESTART_COMMAND, 0, spawnedAt, started, command,
                logStart, () -> null));
    }

    /**
     * Polls the health check until it answers, the process dies ({@code exited} says why) or the start timeout passes.
     * A probe started before the start timeout runs for its whole probe timeout: cut short by the start's deadline it
     * would end as "no answer within 1 ms" and hide the agent's real last answer (an HTTP 500, say), so the start may
     * overrun its timeout by at most one probe timeout.
     */
    private StartOutcome awaitHealthy(Agent agent, ProbeTarget target, StartOutcome.Method method, long pid,
                                      Instant spawnedAt, long started, String command, long logStart,
                                      java.util.function.Supplier<String> exited) {
        long deadline = started + startTimeout.toNanos();
        ProbeResult last = null;
        while (true) {
            String death = exited.get();
            if (death != null) {
                return new StartOutcome.Unhealthy(agent.id(), method, pid, spawnedAt, elapsed(started), target.describe(), death,
                        processes(agent).tail(agent, logStart), command, null);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String lastAnswer = last == null ? "" : " (last probe: " + last.oneLine() + ")";
                return new StartOutcome.Unhealthy(agent.id(), method, pid, spawnedAt, elapsed(started), target.describe(),
                        "no healthy answer within %d s%s".formatted(startTimeout.toSeconds(), lastAnswer),
                        processes(agent).tail(agent, logStart), command, null);
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

    /** Resident memory from {@code /proc/PID/status}, or null where there is none. */
    static Long residentKb(long pid) {
        return LocalProcesses.residentKb(pid);
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
