package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.history.Event;
import io.fleetshell.history.MetricStore;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** {@code history}: the append-only event log of every state-changing command. */
@Component
public class HistoryCommands {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final ShellSession session;

    public HistoryCommands(ShellSession session) {
        this.session = session;
    }

    @Command(name = "history", group = "History", help = "history [--agent A] [--limit N] [--json]",
            description = "Show the state-changing commands run against this home. Newest first: when, what, arguments, result.")
    public void history(@Option(longName = "agent", description = "only events that touched this agent (name or machine/name)") String agent,
                        @Option(longName = "limit", defaultValue = "20", description = "how many events") Integer limit,
                        @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (limit < 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--limit must be 1 or more");
        }
        AgentId filter = agent == null ? null : AgentLookup.agent(session.inventoryStore().inventory(), agent).id();
        List<Event> events = session.events().recent(filter, limit);
        Output out = session.output();
        if (json) {
            out.json(Map.of("events", events));
            return;
        }
        if (events.isEmpty()) {
            out.info(filter == null ? "No events recorded yet." : "No events touched " + filter + ".");
            return;
        }
        TextTable table = new TextTable("ID", "WHEN", "EXIT", "COMMAND", "RESULT").note("RESULT");
        for (Event e : events) {
            table.row(e.id(), WHEN.format(e.at()), e.exitStatus(), commandLine(e.arguments()), e.summary().isEmpty() ? e.outcome() : e.summary());
        }
        out.table(table);
    }

    @Journaled
    @Command(name = {"history", "prune"}, group = "History", help = "history prune [--older-than 30d] [--json]",
            description = "Delete metric scrapes older than --older-than (default: metrics_retention of settings.yaml) with their "
                    + "samples and the series left without one. Deployments, events, baselines and gate decisions are kept: they "
                    + "are the evidence of what fleetshell did.")
    public void prune(@Option(longName = "older-than", description = "age of the oldest scrape kept, like 30d or 12h") String olderThan,
                      @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        java.time.Duration age = olderThan != null ? Durations.parse(olderThan, "--older-than") : session.settings().metricsRetention();
        if (age == null) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "history prune needs an age: --older-than 30d, or metrics_retention: 30d in "
                    + session.home().settings() + "; nothing was deleted");
        }
        java.time.Instant cut = java.time.Instant.now().minus(age);
        MetricStore.Pruned pruned = session.metrics().prune(cut);
        session.journal().summary("pruned %d scrapes older than %s".formatted(pruned.scrapes(), Durations.format(age)));
        if (json) {
            session.output().json(Map.of("older_than", Durations.format(age), "cut", cut.toString(), "scrapes", pruned.scrapes(),
                    "samples", pruned.samples(), "series", pruned.series()));
            return;
        }
        session.output().println("Deleted %d scrape%s, %d sample%s and %d series older than %s (before %s); deployments, events, "
                .formatted(pruned.scrapes(), pruned.scrapes() == 1 ? "" : "s", pruned.samples(), pruned.samples() == 1 ? "" : "s",
                        pruned.series(), Durations.format(age), WHEN.format(cut)) + "baselines and gate decisions are kept.");
    }

    /** The argv as it could be typed again: words with spaces or quotes are single-quoted. */
    static String commandLine(List<String> words) {
        return String.join(" ", words.stream().map(w -> w.isEmpty() || w.matches(".*[\\s'\"\\\\$`].*")
                ? "'" + w.replace("'", "'\\''") + "'" : w).toList());
    }
}
