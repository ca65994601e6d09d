package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.settings.Settings;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.metrics.MetricSource;
import io.fleetshell.engine.metrics.PrometheusApi;
import io.fleetshell.engine.metrics.PrometheusSource;
import io.fleetshell.engine.metrics.ScrapeTarget;
import io.fleetshell.engine.metrics.Scraper;
import io.fleetshell.history.MetricStore;
import io.fleetshell.shell.cli.Output;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The agents a metrics command reads (named, one machine's, or all) and where their metrics come from. */
final class MetricTargets {

    /** Endpoints scraped at once: enough for 1,000 loopback targets in well under a second on 2 cores (BENCHMARKS.md). */
    static final int CONCURRENCY = 128;

    private MetricTargets() {
    }

    /** The agents named, or the machine's, or every agent. */
    static List<Agent> agents(Inventory inventory, List<String> names, String machine) {
        AgentLookup.nonEmpty(inventory);
        if (names != null && !names.isEmpty()) {
            if (machine != null) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "name agents or --machine, not both");
            }
            return names.stream().map(n -> AgentLookup.agent(inventory, n)).distinct().toList();
        }
        return machine == null ? inventory.agents() : inventory.onMachine(AgentLookup.machine(inventory, machine).name());
    }

    /**
     * The agents' scrape targets; an agent without a health-check port is warned about and left out. Scraped by
     * fleetshell, each is where the agent can be reached from here (its machine's host, or a tunnel to it:
     * {@link io.fleetshell.engine.runtime.Reach}); read from Prometheus, each is the address as configured, which is what
     * Prometheus' {@code instance} labels name.
     */
    static List<ScrapeTarget> targets(List<Agent> agents, Output out, Settings settings, io.fleetshell.engine.runtime.Supervisor supervisor) {
        List<ScrapeTarget> targets = new ArrayList<>();
        for (Agent agent : agents) {
            Optional<ScrapeTarget> target = settings.prometheus().isPresent() ? ScrapeTarget.of(agent) : supervisor.metricsTarget(agent);
            if (target.isPresent()) {
                targets.add(target.get());
            } else {
                out.warn("%s: no metrics to read, its config gives no health_check_port (%s:%d)".formatted(agent.id(),
                        agent.configFile(), agent.configLine()));
            }
        }
        if (targets.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "none of these agents has a health_check_port, so none has /metrics to read");
        }
        return targets;
    }

    /** Prometheus when settings.yaml names one ({@code prometheus_url}), else the agents' endpoints. */
    static MetricSource source(Settings settings, Duration timeout) {
        return settings.prometheus()
                .<MetricSource>map(url -> new PrometheusSource(new PrometheusApi(url, timeout)))
                .orElseGet(() -> new Scraper(timeout, CONCURRENCY));
    }

    static MetricStore.Source kind(MetricSource source) {
        return source instanceof PrometheusSource ? MetricStore.Source.PROMETHEUS : MetricStore.Source.SCRAPE;
    }
}
