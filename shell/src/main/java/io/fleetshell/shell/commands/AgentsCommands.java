package io.fleetshell.shell.commands;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.runtime.AgentStatus;
import io.fleetshell.engine.runtime.LogTail;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.runtime.StartOutcome;
import io.fleetshell.engine.runtime.StopOutcome;
import io.fleetshell.engine.runtime.SupervisedProcess;
import io.fleetshell.engine.runtime.Supervisor;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code agents start|stop|restart|status|logs}: agents fleetshell runs itself (pid files, logs, time-to-healthy)
 * and agents restarted through their {@code restart_command}.
 */
@Component
public class AgentsCommands {

    static final String GROUP = "Runtime";

    private final ShellSession session;

    public AgentsCommands(ShellSession session) {
        this.session = session;
    }

    @Journaled
    @Command(name = {"agents", "start"}, group = GROUP, help = "agents start [AGENT...] [--machine M] [--timeout SECONDS] [--json]",
            completionProvider = "agentCompletion",
            description = "Start agents and measure each one's time-to-healthy, from the spawn until its health check answers. "
                    + "fleetshell runs an agent's script with its machine's interpreter and global_settings.environment (plus PORT "
                    + "and HEALTH_PORT), in a session of its own so it outlives the shell, logs in FLEETSHELL_HOME/logs; an agent "
                    + "with a restart_command is started by running that command. An agent of a remote machine is started on its host (pid "
                    + "file and log in the host's state directory, ~/.fleetshell/remote). One host's agents start one after another, so one start "
                    + "does not slow another's measurement; remote hosts start in parallel, up to the machines' forks (10) at once. "
                    + "Every start is stored as a sample. Without AGENT, every agent.")
    public void start(@Arguments List<String> names,
                      @Option(longName = "machine", description = "only this machine's agents") String machine,
                      @Option(longName = "timeout", defaultValue = "30", description = "seconds an agent may take to become healthy") Integer timeout,
                      @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        starting("start", names, machine, timeout, json, Supervisor::start);
    }

    @Journaled
    @Command(name = {"agents", "restart"}, group = GROUP, help = "agents restart [AGENT...] [--machine M] [--timeout SECONDS] [--json]",
            completionProvider = "agentCompletion",
            description = "Restart agents and measure each one's time-to-healthy. An agent fleetshell runs is stopped (SIGTERM, then "
                    + "SIGKILL after 10 s) and started again; an agent with a restart_command gets that command, with {name}, "
                    + "{machine} and {script} filled in, and is timed from the command's start. Without AGENT, every agent.")
    public void restart(@Arguments List<String> names,
                        @Option(longName = "machine", description = "only this machine's agents") String machine,
                        @Option(longName = "timeout", defaultValue = "30", description = "seconds an agent may take to become healthy") Integer timeout,
                        @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        starting("restart", names, machine, timeout, json, Supervisor::restart);
    }

    @Journaled
    @Command(name = {"agents", "stop"}, group = GROUP, help = "agents stop [AGENT...] [--machine M] [--grace SECONDS] [--json]",
            completionProvider = "agentCompletion",
            description = "Stop agents fleetshell runs: SIGTERM, then SIGKILL if the agent has not exited after the grace time; says "
                    + "which it took. Agents it does not run are left alone and listed as not running. Without AGENT, every agent.")
    public void stop(@Arguments List<String> names,
                     @Option(longName = "machine", description = "only this machine's agents") String machine,
                     @Option(longName = "grace", defaultValue = "10", description = "seconds between SIGTERM and SIGKILL") Integer grace,
                     @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (grace < 0) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--grace must be 0 or more seconds");
        }
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        List<Agent> agents = AgentLookup.selected(inventory, names, machine);
        Supervisor supervisor = supervisor(inventory, 30, grace);
        Output out = session.output();
        List<StopOutcome> outcomes = supervisor.stopAll(agents, outcome -> {
            if (!json) {
                out.info("  %s: %s".formatted(outcome.agent(), outcome.summary()));
            }
        });
        long stopped = outcomes.stream().filter(o -> o instanceof StopOutcome.Terminated || o instanceof StopOutcome.Killed).count();
        long killed = outcomes.stream().filter(o -> o instanceof StopOutcome.Killed).count();
        session.journal().summary("stopped %d agent%s (%d needed SIGKILL)".formatted(stopped, stopped == 1 ? "" : "s", killed));
        session.journal().agents(outcomes.stream().filter(o -> o instanceof StopOutcome.Terminated || o instanceof StopOutcome.Killed)
                .map(StopOutcome::agent).toList());
        List<StopOutcome> failed = outcomes.stream().filter(o -> o instanceof StopOutcome.Failed).toList();
        if (json) {
            out.json(Map.of("agents", outcomes));
            stopFailed(failed, outcomes.size());
            return;
        }
        TextTable table = new TextTable("MACHINE", "AGENT", "RESULT", "PID", "DETAIL").note("DETAIL");
        for (StopOutcome o : outcomes) {
            switch (o) {
                case StopOutcome.Terminated t -> table.row(t.agent().machine(), t.agent().name(), "SIGTERM", t.pid(),
                        "exited after %d ms".formatted(t.took().toMillis()));
                case StopOutcome.Killed k -> table.row(k.agent().machine(), k.agent().name(), out.style("SIGKILL", "33"), k.pid(),
                        "still running %d ms after SIGTERM".formatted(k.waited().toMillis()));
                case StopOutcome.NotRunning n -> table.row(n.agent().machine(), n.agent().name(), "not running", "-", n.reason());
                case StopOutcome.Failed f -> table.row(f.agent().machine(), f.agent().name(), out.style("FAILED", "31"), "-", f.reason());
            }
        }
        out.table(table);
        stopFailed(failed, outcomes.size());
    }

    private static void stopFailed(List<StopOutcome> failed, int of) {
        if (!failed.isEmpty()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "%d of %d agent%s could not be stopped: %s".formatted(failed.size(), of,
                    of == 1 ? "" : "s", String.join(", ", failed.stream().map(o -> o.agent().toString()).toList())));
        }
    }

    @Command(name = {"agents", "status"}, group = GROUP, help = "agents status [AGENT...] [--machine M] [--json]",
            completionProvider = "agentCompletion",
            description = "Show whether fleetshell runs each agent (pid, uptime, memory) and what its health check answers now. "
                    + "Pids are checked against the process start time (on the agent's host), so a reused pid is never mistaken for "
                    + "the agent. Remote hosts are asked in parallel, up to forks at once; a host that cannot be reached shows its "
                    + "agents as unreachable with ssh's error. Each probe is stored as a sample. Without AGENT, every agent.")
    public void status(@Arguments List<String> names,
                       @Option(longName = "machine", description = "only this machine's agents") String machine,
                       @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        List<Agent> agents = AgentLookup.selected(inventory, names, machine);
        Supervisor supervisor = supervisor(inventory, 30, 10);
        List<AgentStatus> statuses = supervisor.statusAll(agents);
        Output out = session.output();
        if (json) {
            out.json(Map.of("agents", statuses.stream().map(s -> StatusView.of(s, logOf(s.agent(), supervisor, inventory))).toList()));
            return;
        }
        TextTable table = new TextTable("MACHINE", "AGENT", "STATE", "PID", "UPTIME", "RSS MB", "HEALTH", "NOTE").note("NOTE");
        Instant now = Instant.now();
        for (AgentStatus s : statuses) {
            ProbeResult p = s.probe();
            String health = p == null ? "-" : p.healthy() ? out.style(p.oneLine(), "32") : out.style(p.oneLine(), "31");
            table.row(s.agent().machine(), s.agent().name(), s.supervision().name().toLowerCase().replace('_', ' '),
                    s.process() == null ? "-" : s.process().pid(),
                    s.process() == null ? "-" : uptime(Duration.between(s.process().spawnedAt(), now)),
                    p == null || p.rssKb() == null ? "-" : "%.1f".formatted(p.rssKb() / 1024.0), health,
                    s.supervision() == AgentStatus.Supervision.RUNNING ? "" : s.note());
        }
        out.table(table);
        long healthy = statuses.stream().filter(AgentStatus::healthy).count();
        out.info("%d of %d agents healthy".formatted(healthy, statuses.size()));
    }

    @Command(name = {"agents", "logs"}, group = GROUP, help = "agents logs AGENT [-f] [--tail N]",
            completionProvider = "agentCompletion",
            description = "Print the log of an agent fleetshell runs (its stdout and stderr, appended across starts, in "
                    + "FLEETSHELL_HOME/logs/MACHINE/AGENT.log, or the same under the state directory of a remote host): the last N lines, then with -f every line appended until Ctrl-C. "
                    + "An agent started by its restart_command logs there too.")
    public void logs(@Arguments List<String> names,
                     @Option(longName = "follow", shortName = 'f', description = "keep printing lines as the agent writes them, until Ctrl-C") boolean follow,
                     @Option(longName = "tail", defaultValue = "100", description = "how many of the last lines to print first (0: the whole log)") Integer tail) {
        if (names == null || names.size() != 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name one agent: agents logs AGENT [-f] [--tail N]");
        }
        if (tail < 0) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--tail must be 0 (the whole log) or more");
        }
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        Agent agent = AgentLookup.agent(inventory, names.getFirst());
        Supervisor supervisor = supervisor(inventory, 30, 10);
        String log = supervisor.logShown(agent);
        Output out = session.output();
        try {
            LogTail.End end = supervisor.lastLog(agent, tail);
            if (end == null && !follow) {
                throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, ("%s has no log yet (%s): fleetshell writes it when it starts the "
                        + "agent (agents start %s); an agent started outside fleetshell logs wherever its own start sends it")
                        .formatted(agent.id(), log, agent.name()));
            }
            long offset = 0;
            if (end != null) {
                end.lines().forEach(out::println);
                offset = end.offset();
            }
            if (follow) {
                out.info("following %s (Ctrl-C stops)".formatted(log));
                session.interrupts().awaitCtrlC();
                supervisor.logTail(agent).follow(offset, out::println, out::warn);
            }
        } catch (java.io.IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot read %s: %s".formatted(log, e.getMessage()), e);
        }
    }

    private void starting(String verb, List<String> names, String machine, int timeout, boolean json,
                          java.util.function.BiFunction<Supervisor, Agent, StartOutcome> action) {
        if (timeout < 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--timeout must be 1 or more seconds");
        }
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        List<Agent> agents = AgentLookup.selected(inventory, names, machine);
        Supervisor supervisor = supervisor(inventory, timeout, 10);
        Output out = session.output();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        List<StartOutcome> outcomes = supervisor.startAll(agents, action, outcome -> {
            if (!json) {
                out.info("  [%d/%d] %s: %s".formatted(done.incrementAndGet(), agents.size(), outcome.agent(), outcome.summary()));
            }
        });
        List<StartOutcome> failed = outcomes.stream()
                .filter(o -> o instanceof StartOutcome.Unhealthy || o instanceof StartOutcome.NotStartable).toList();
        long healthy = outcomes.stream().filter(StartOutcome::healthy).count();
        session.journal().summary("%s: %d healthy, %d failed, %d already running".formatted(verb, healthy, failed.size(),
                outcomes.stream().filter(o -> o instanceof StartOutcome.AlreadyRunning).count()));
        session.journal().agents(outcomes.stream().map(StartOutcome::agent).toList());
        if (json) {
            out.json(Map.of("agents", outcomes.stream().map(o -> new StartView(o, logOf(o.agent(), supervisor, inventory))).toList()));
        } else {
            TextTable table = new TextTable("MACHINE", "AGENT", "RESULT", "TIME TO HEALTHY MS", "PID", "DETAIL").note("DETAIL");
            for (StartOutcome o : outcomes) {
                switch (o) {
                    case StartOutcome.Healthy h -> table.row(h.agent().machine(), h.agent().name(), out.style("healthy", "32"),
                            "%.0f".formatted(h.timeToHealthy().toNanos() / 1e6), h.pid() > 0 ? h.pid() : "-",
                            "%s (sample %d)".formatted(h.probe(), h.id()));
                    case StartOutcome.Unhealthy u -> table.row(u.agent().machine(), u.agent().name(), out.style("FAILED", "31"), "-",
                            "-", u.reason());
                    case StartOutcome.AlreadyRunning a -> table.row(a.agent().machine(), a.agent().name(), "already running", "-",
                            a.pid(), "since " + a.since());
                    case StartOutcome.NotStartable n -> table.row(n.agent().machine(), n.agent().name(), out.style("not started", "31"),
                            "-", "-", n.reason());
                }
            }
            out.table(table);
            for (StartOutcome o : failed) {
                if (o instanceof StartOutcome.Unhealthy u && u.logTail() != null && !u.logTail().isBlank()) {
                    out.info("%s log (%s):%n%s".formatted(u.agent(), supervisor.logShown(AgentLookup.agent(inventory, u.agent().toString())),
                            u.logTail().indent(4).stripTrailing()));
                }
            }
        }
        if (!failed.isEmpty()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "%d of %d agent%s did not become healthy: %s".formatted(
                    failed.size(), outcomes.size(), outcomes.size() == 1 ? "" : "s",
                    String.join(", ", failed.stream().map(o -> o.agent().toString()).toList())));
        }
    }

    private Supervisor supervisor(Inventory inventory, int startTimeoutSeconds, int graceSeconds) {
        return new Supervisor(session.home(), inventory, session.runtime(), Duration.ofSeconds(startTimeoutSeconds),
                Duration.ofSeconds(graceSeconds));
    }

    /** One agent's line of {@code agents start|restart --json}: the outcome's fields, then where its log is. */
    record StartView(@JsonUnwrapped StartOutcome outcome, String log) {
    }

    /** One agent's line of {@code agents status --json}. */
    record StatusView(AgentId agent, String state, Long pid, Instant startedAt, ProbeResult health, String note, String log) {
        static StatusView of(AgentStatus s, String log) {
            SupervisedProcess p = s.process();
            return new StatusView(s.agent(), s.supervision().name().toLowerCase(), p == null ? null : p.pid(),
                    p == null ? null : p.spawnedAt(), s.probe(), s.note(), log);
        }
    }

    private static String logOf(AgentId agent, Supervisor supervisor, Inventory inventory) {
        return supervisor.logShown(AgentLookup.agent(inventory, agent.toString()));
    }

    static String uptime(Duration d) {
        long s = d.toSeconds();
        return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172800 ? s / 3600 + "h" : s / 86400 + "d";
    }
}
