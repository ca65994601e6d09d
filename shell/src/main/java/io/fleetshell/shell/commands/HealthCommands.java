package io.fleetshell.shell.commands;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.health.FleetHealth;
import io.fleetshell.engine.health.HealthCategory;
import io.fleetshell.engine.health.HealthCheck;
import io.fleetshell.engine.health.HealthReport;
import io.fleetshell.engine.host.FileStat;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.metrics.MetricSource;
import io.fleetshell.engine.runtime.Supervisor;
import io.fleetshell.history.Baseline;
import io.fleetshell.history.MetricStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@code health}: the fleet's health in eight categories, a score, and exit status 1 below the minimum (for cron). */
@Component
public class HealthCommands {

    private final ShellSession session;

    public HealthCommands(ShellSession session) {
        this.session = session;
    }

    @Command(name = "health", group = AgentsCommands.GROUP, help = "health [--timeout 5s] [--json]",
            description = "Check the fleet's health now in eight categories: metrics infrastructure, agent discovery and "
                    + "connectivity, performance, error rate, cross-machine coordination, optimization impact, regression "
                    + "detection and system stability. Each check passes or fails on a measurement it names (probe, scrape, "
                    + "start or gate decision, all stored) and says what to do. Prints each category's score, the overall "
                    + "score (their mean), the critical issues, and exits 1 when the score is below health_minimum (95%), "
                    + "so cron can alert. Thresholds: thresholds in settings.yaml.")
    public void health(@Option(longName = "timeout", defaultValue = "5s", description = "how long one metrics read may take") String timeout,
                       @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        Duration perTarget = Durations.parse(timeout, "--timeout", Duration.ofMillis(1), Duration.ofMinutes(10));
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        Supervisor supervisor = new Supervisor(session.home(), inventory, session.runtime(), Duration.ofSeconds(30), Duration.ofSeconds(10));
        FleetHealth assessor = new FleetHealth(inventory, supervisor, session.runtime(), session.traffic(), session.gates(inventory),
                session.settings().thresholds(), new ScriptSyntax(inventory, session.hosts(), session.settings().sideEffectModules()),
                agent -> deployedAt(inventory, agent));
        HealthReport report;
        MetricStore metrics = session.metrics();
        try (MetricSource source = MetricTargets.source(session.settings(), perTarget)) {
            MetricStore.Source kind = MetricTargets.kind(source);
            report = assessor.assess(source, results -> metrics.save(results, kind).stream().map(MetricStore.StoredScrape::id).toList());
        }
        Output out = session.output();
        if (json) {
            out.json(report);
        } else {
            print(report, out);
        }
        if (!report.healthy()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "health score %.1f%% is below the minimum %.0f%% (%d critical issue%s)"
                    .formatted(report.score(), report.minimumScore(), report.criticalIssues().size(),
                            report.criticalIssues().size() == 1 ? "" : "s"));
        }
    }

    /**
     * When the agent's script was changed after it was first profiled: its modification time, when its checksum
     * differs from that of its first baseline. An agent never profiled, or unchanged since, was never optimized.
     */
    private Optional<Instant> deployedAt(Inventory inventory, Agent agent) {
        if (!agent.script().found()) {
            return Optional.empty();
        }
        List<Baseline> versions = session.baselines().versions(agent.id());
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        Baseline first = versions.getLast();
        Host host = inventory.machine(agent.machine()).map(m -> session.hosts().of(m)).orElseGet(() -> session.hosts().local());
        try {
            if (first.scriptSha256().equals(Checksums.sha256(host.read(agent.script().path(), SafeFiles.SCRIPT_LIMIT)))) {
                return Optional.empty();
            }
            return host.stat(agent.script().path()).map(FileStat::mtime);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void print(HealthReport report, Output out) {
        TextTable table = new TextTable("CATEGORY", "SCORE", "PASSED", "FAILED", "SKIPPED");
        for (HealthCategory c : report.categories()) {
            String score = c.score().isPresent() ? "%.1f%%".formatted(c.score().getAsDouble()) : "-";
            table.row(c.name(), c.failed() > 0 ? out.style(score, "31") : score, c.passed(), c.failed(), c.skipped());
        }
        out.table(table);
        for (HealthCategory c : report.categories()) {
            List<HealthCheck> notPassed = c.checks().stream().filter(k -> k.status() != HealthCheck.Status.PASS).toList();
            if (notPassed.isEmpty()) {
                continue;
            }
            out.println("");
            out.println(out.bold(c.name()));
            for (HealthCheck k : notPassed) {
                out.println("  %s %s: %s".formatted(k.status() == HealthCheck.Status.FAIL ? out.style("FAIL", "31") : "skip", k.name(), k.evidence()));
                if (!k.recommendation().isEmpty()) {
                    out.println("       -> " + k.recommendation());
                }
            }
        }
        out.println("");
        List<HealthCheck> critical = report.criticalIssues();
        if (!critical.isEmpty()) {
            out.println(out.bold("Critical issues"));
            critical.forEach(k -> out.println("  " + k.name() + ": " + k.evidence()));
            out.println("");
        }
        String overall = "Overall health: %.1f%% (minimum %.0f%%)".formatted(report.score(), report.minimumScore());
        out.println(report.healthy() ? out.style(overall, "32") : out.style(overall, "31;1"));
    }
}
