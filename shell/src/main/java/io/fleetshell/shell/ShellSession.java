package io.fleetshell.shell;

import io.fleetshell.engine.FleetHome;
import io.fleetshell.engine.settings.Settings;
import io.fleetshell.engine.compare.Gates;
import io.fleetshell.engine.compare.TrafficHistory;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.history.BaselineStore;
import io.fleetshell.history.EventLog;
import io.fleetshell.history.HistoryDatabase;
import io.fleetshell.history.InventoryStore;
import io.fleetshell.history.MetricStore;
import io.fleetshell.history.RuntimeStore;
import io.fleetshell.shell.cli.CommandInterrupts;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.cli.StatusLine;
import jakarta.annotation.PreDestroy;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One shell's context: its home, its history database (opened on first use), where the running
 * command writes, and what it reports for the event log. Two shells in one JVM (as tests run them)
 * are two application contexts, each with its own session.
 */
@Component
public class ShellSession {

    private final FleetHome home;
    private io.fleetshell.engine.inventory.Hosts hosts;
    private final Map<String, String> environment;
    private HistoryDatabase database;
    private Settings settings;
    private Output output = new Output(new PrintWriter(System.out, true), new PrintWriter(System.err, true), false);
    private boolean interactive;
    private Journal journal = new Journal();
    private java.util.function.UnaryOperator<String> console;
    private final CommandInterrupts interrupts = new CommandInterrupts();
    private StatusLine statusLine;

    public ShellSession(@Value("${fleetshell.home:}") String configuredHome) {
        this.environment = System.getenv();
        this.home = configuredHome.isBlank()
                ? FleetHome.from(environment, System.getProperty("user.home"))
                : new FleetHome(java.nio.file.Path.of(configuredHome));
    }

    public FleetHome home() {
        return home;
    }

    public Map<String, String> environment() {
        return environment;
    }

    public synchronized HistoryDatabase database() {
        if (database == null) {
            database = HistoryDatabase.open(home.database());
        }
        return database;
    }

    public InventoryStore inventoryStore() {
        return new InventoryStore(database());
    }

    public EventLog events() {
        return new EventLog(database());
    }

    public BaselineStore baselines() {
        return new BaselineStore(database());
    }

    /** Starts, probes, runtime baselines and gate decisions. */
    public RuntimeStore runtime() {
        return new RuntimeStore(database());
    }

    /**
     * The gates on this inventory: runtime samples, scraped traffic and the thresholds of settings.yaml; each
     * decision is stored.
     */
    public Gates gates(Inventory inventory) {
        return new Gates(inventory, new io.fleetshell.engine.runtime.Reach(home()), runtime(), traffic(), settings().thresholds());
    }

    /** Scraped traffic, interval by interval between stored scrapes. */
    public TrafficHistory traffic() {
        MetricStore metrics = metrics();
        return (agent, from, to) -> metrics.intervals(agent, from, to).stream()
                .map(i -> new TrafficHistory.Interval(i.from().id(), i.to().id(), i.to().at(), i.stats())).toList();
    }

    /** Scraped metric samples. */
    /** The metric history, pruned at each save to {@code metrics_retention} of settings.yaml when it is set. */
    public MetricStore metrics() {
        return new MetricStore(database(), settings().metricsRetention());
    }

    /** The transport of each machine: this computer, or the ssh host its settings name. */
    public synchronized io.fleetshell.engine.inventory.Hosts hosts() {
        if (hosts == null) {
            hosts = new io.fleetshell.engine.inventory.Hosts(home, settings().machines());
        }
        return hosts;
    }

    public synchronized Settings settings() {
        if (settings == null) {
            settings = Settings.read(home.settings());
        }
        return settings;
    }

    public Output output() {
        return output;
    }

    public boolean interactive() {
        return interactive;
    }

    /** Sets where the next command writes and starts a fresh journal entry for it. */
    public void begin(Output output, boolean interactive) {
        this.output = output;
        this.interactive = interactive;
        this.journal = new Journal();
    }

    public Journal journal() {
        return journal;
    }

    /** Where long phases show they move, or null when stderr is no terminal. */
    public StatusLine statusLine() {
        return statusLine;
    }

    public void statusLine(StatusLine line) {
        this.statusLine = line;
    }

    /** What Ctrl-C does to the running command. */
    public CommandInterrupts interrupts() {
        return interrupts;
    }

    /** Lets commands ask the person at the REPL a question ({@code question -> answer}); null outside the REPL. */
    public void console(java.util.function.UnaryOperator<String> console) {
        this.console = console;
    }

    /** The answer typed to {@code question} in the REPL, or empty in one-shot mode. */
    public java.util.Optional<String> ask(String question) {
        if (console == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.ofNullable(console.apply(question));
        } catch (RuntimeException e) { // Ctrl-C or Ctrl-D at the question: no answer
            return java.util.Optional.of("");
        }
    }

    @PreDestroy
    public synchronized void close() {
        if (database != null) {
            database.close();
            database = null;
        }
    }

    /** What the running command says about itself for the event log. */
    public static final class Journal {
        private String summary = "";
        private final List<AgentId> agents = new ArrayList<>();

        public void summary(String summary) {
            this.summary = summary;
        }

        public void agents(List<AgentId> ids) {
            agents.addAll(ids);
        }

        public String summary() {
            return summary;
        }

        public List<AgentId> agents() {
            return List.copyOf(agents);
        }
    }
}
