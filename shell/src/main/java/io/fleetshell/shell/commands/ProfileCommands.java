package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.health.BusyMachine;
import io.fleetshell.engine.health.LoadFailures;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.Stats;
import io.fleetshell.engine.runtime.RuntimeBaseline;
import io.fleetshell.history.Baseline;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.JsonObject;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code profile} measures agents' load in fresh processes; {@code baseline list|show} reads what it stored. */
@Component
public class ProfileCommands {

    static final String GROUP = "Measure";
    private static final int SUMMARY_ITEMS = 6;
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    private final ShellSession session;
    private final Measurements measurements;

    /** Agents profiled at once unless told: 1, from the heavy-agent measurement in BENCHMARKS.md (issue 16 item 9). */
    static final String DEFAULT_PARALLEL = "1";

    public ProfileCommands(ShellSession session, Measurements measurements) {
        this.session = session;
        this.measurements = measurements;
    }

    @Journaled
    @Command(name = "profile", group = GROUP, help = "profile [AGENT...] [--runs N] [--parallel N] [--timeout SECONDS] [--json]",
            completionProvider = "agentCompletion",
            description = "Measure agents' module load in fresh processes of their own interpreter (this executes each agent's "
                    + "module-level code, not its __main__ block, once per run). Per run: load time, "
                    + "each import statement's wall time and RSS growth, -X importtime, peak RSS, modules loaded; median and "
                    + "spread over N runs. Stores every sample as a new baseline version. Without AGENT, every agent whose "
                    + "script was found. A Java agent is compiled (javax.tools; a build compiled before comes from FLEETSHELL_HOME/cache/javac) and timed from JVM start to /health 200, with "
                    + "each holdable static field's class-initialization cost measured on its own.")
    public void profile(@Arguments List<String> names,
                        @Option(longName = "runs", defaultValue = "5", description = "fresh processes per agent") Integer runs,
                        @Option(longName = "parallel", defaultValue = DEFAULT_PARALLEL,
                                description = "agents measured at once (default 1: on 2 cores with heavy agents, 2 at once stretched "
                                        + "the median load times by 36 %, see BENCHMARKS.md)") Integer parallel,
                        @Option(longName = "timeout", defaultValue = "60", description = "seconds one load may take") Integer timeout,
                        @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (runs < 1 || runs > 100) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--runs must be between 1 and 100");
        }
        if (parallel < 1 || timeout < 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--parallel and --timeout must be 1 or more");
        }
        Output out = session.output();
        Inventory inventory = session.inventoryStore().inventory();
        List<Agent> agents = selected(inventory, names);
        double loadBefore = loadAverage();
        List<Baseline> stored = measurements.measure(inventory, agents, runs, parallel, timeout);
        double loadAverage = Math.max(loadBefore, loadAverage());
        List<AgentProfile> profiles = stored.stream().map(Baseline::profile).toList();
        LoadFailures.Summary summary = LoadFailures.of(profiles, profiles.stream().filter(p -> !p.loaded()).map(p -> p.target().python())
                .findFirst().orElse(Machine.DEFAULT_PYTHON));
        Optional<String> busy = BusyMachine.warning(profiles, loadAverage, Runtime.getRuntime().availableProcessors());

        long failed = profiles.stream().filter(p -> !p.loaded()).count();
        session.journal().summary("profiled %d agents (%d failed to load), %d runs each".formatted(profiles.size(), failed, runs));
        session.journal().agents(profiles.stream().map(p -> p.target().agent()).toList());
        if (json) {
            out.json(new ProfileJson(stored.stream().map(BaselineJson::of).toList(), summary, loadAverage < 0 ? null : loadAverage,
                    busy.orElse(null)));
            return;
        }
        out.table(table(stored));
        measuredElsewhere(stored).forEach(out::info);
        if (failed > 0) {
            out.println("");
            out.println(summaryText(summary));
            out.warn("%d agent%s failed to load; their errors are stored with the baseline and are never averaged in."
                    .formatted(failed, failed == 1 ? "" : "s"));
        }
        busy.ifPresent(out::warn);
    }

    /**
     * One line per host other than this computer that ran loads: its agents' figures are that machine's, and so is the
     * load average each sample records.
     */
    static List<String> measuredElsewhere(List<Baseline> baselines) {
        Map<String, List<String>> byHost = new java.util.TreeMap<>();
        baselines.stream().map(Baseline::profile).filter(p -> !p.measuredHere())
                .forEach(p -> byHost.computeIfAbsent(p.measuredOn(), h -> new java.util.ArrayList<>()).add(p.target().agent().toString()));
        return byHost.entrySet().stream().map(e -> "Measured on %s (over ssh), not on this computer: %s.".formatted(e.getKey(),
                String.join(", ", e.getValue()))).toList();
    }

    /** The one-minute load average, or -1 where the platform does not report one. */
    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** The fleet's load health: how many loaded, then each cause of failure with its agents and its fix. */
    static String summaryText(LoadFailures.Summary summary) {
        StringBuilder text = new StringBuilder("Load health: %d of %d agents loaded; %d failed:".formatted(summary.loaded(), summary.profiled(),
                summary.profiled() - summary.loaded()));
        for (LoadFailures.Group group : summary.groups()) {
            List<String> items = summary.failures().stream().filter(f -> f.cause() == group.cause())
                    .map(f -> f.detail().isEmpty() ? f.agent() : "%s (%s)".formatted(f.agent(), f.detail())).toList();
            String shown = String.join(", ", items.stream().limit(SUMMARY_ITEMS).toList())
                    + (items.size() > SUMMARY_ITEMS ? " and %d more (profile --json lists all)".formatted(items.size() - SUMMARY_ITEMS) : "");
            text.append("%n  %d %s: %s%n    fix: %s".formatted(group.agents().size(), group.cause().label(), shown, group.fix()));
        }
        return text.toString();
    }

    /** {@code profile --json}: the baselines stored, the load-health summary, and the machine's load while profiling. */
    record ProfileJson(List<BaselineJson> baselines, LoadFailures.Summary summary, Double loadAverage, String busy) {
    }

    @Command(name = {"baseline", "list"}, group = GROUP, help = "baseline list [--json]",
            description = "List the newest stored baselines: every profiled agent's module load, and every runtime baseline "
                    + "window (baseline capture).")
    public void list(@Option(longName = "json", description = "print JSON on stdout") boolean json) {
        List<Baseline> baselines = session.baselines().latest();
        List<RuntimeBaseline> runtime = session.runtime().latestRuntimeBaselines();
        Output out = session.output();
        if (json) {
            out.json(JsonObject.of("baselines", baselines.stream().map(BaselineJson::of).toList(),
                    "runtime_baselines", runtime.stream().map(b -> JsonObject.of("agent", b.agent().toString(), "version", b.version(),
                            "captured_at", b.capturedAt().toString(), "window_start", b.windowStart().toString(),
                            "window_end", b.windowEnd().toString(), "samples", session.runtime().baselineSummary(b.id()))).toList()));
            return;
        }
        if (baselines.isEmpty()) {
            out.info("No module-load baselines yet: profile measures agents and stores one.");
        } else {
            out.table(table(baselines));
        }
        if (runtime.isEmpty()) {
            out.info("No runtime baselines yet: baseline capture stores one (see help baseline capture).");
            return;
        }
        TextTable windows = new TextTable("MACHINE", "AGENT", "RUNTIME V", "WINDOW FROM", "WINDOW TO", "SAMPLES WHEN CAPTURED");
        for (RuntimeBaseline b : runtime) {
            Map<String, Object> counts = session.runtime().baselineSummary(b.id());
            windows.row(b.agent().machine(), b.agent().name(), b.version(), WHEN.format(b.windowStart()), WHEN.format(b.windowEnd()),
                    "%s starts, %s probes, %s traffic intervals".formatted(counts.get("healthy_starts"), counts.get("probes"),
                            counts.get("traffic_intervals")));
        }
        out.println("");
        out.table(windows);
    }

    @Command(name = {"baseline", "show"}, group = GROUP, help = "baseline show AGENT [--version N] [--json]",
            completionProvider = "agentCompletion",
            description = "Show one agent's baseline. Every raw sample, and what each import statement cost.")
    public void show(@Arguments List<String> names,
                     @Option(longName = "version", description = "which version (default: the newest)") Integer version,
                     @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (names == null || names.size() != 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name one agent: baseline show AGENT");
        }
        Agent agent = AgentLookup.agent(session.inventoryStore().inventory(), names.getFirst());
        List<Baseline> versions = session.baselines().versions(agent.id());
        if (versions.isEmpty()) {
            throw new FleetshellException(ErrorCode.UNKNOWN_NAME, agent.id() + " has no baseline yet; run profile " + agent.name());
        }
        Baseline baseline = version == null ? versions.getFirst() : versions.stream().filter(b -> b.version() == version).findFirst()
                .orElseThrow(() -> new FleetshellException(ErrorCode.UNKNOWN_NAME, "%s has versions %s, not %d".formatted(
                        agent.id(), versions.stream().map(b -> String.valueOf(b.version())).toList(), version)));
        Output out = session.output();
        if (json) {
            out.json(BaselineJson.of(baseline, true));
            return;
        }
        AgentProfile p = baseline.profile();
        out.println("%s baseline v%d, measured %s on %s with %s (%s), script sha256 %s".formatted(agent.id(), baseline.version(),
                WHEN.format(baseline.createdAt()), p.measuredOn(), p.target().python(), agent.language().runtimeLabel(p.python()),
                baseline.scriptSha256().substring(0, 12)));
        out.println("load: " + oneLine(p));
        TextTable samples = new TextTable("RUN", "LOAD MS", "PEAK RSS MB", "MODULES", "RESULT");
        for (LoadSample s : p.samples()) {
            samples.row(s.run(), s.ok() ? "%.1f".formatted(s.loadMillis()) : "-", s.ok() ? "%.1f".formatted(s.peakRssKb() / 1024.0) : "-",
                    s.ok() ? s.modulesLoaded() : "-", s.ok() ? "ok" : s.error());
        }
        out.println("");
        out.table(samples);
        if (p.loaded()) {
            TextTable statements = new TextTable("LINE", "IMPORT STATEMENT OF", "WALL MS", "IMPORTTIME CUMULATIVE MS", "SELF MS",
                    "RSS GROWTH MB");
            p.statements().forEach(st -> statements.row(st.line(), st.module(), "%.1f".formatted(st.millis()),
                    "%.1f".formatted(st.importTimeCumulativeMillis()), "%.1f".formatted(st.importTimeSelfMillis()),
                    "%.2f".formatted(st.rssKb() / 1024.0)));
            out.println("");
            out.table(statements);
            TextTable imports = new TextTable("DIRECT IMPORT (-X importtime)", "CUMULATIVE MS", "SELF MS");
            p.directImports().forEach(i -> imports.row(i.module(), "%.1f".formatted(i.cumulativeMillis()), "%.1f".formatted(i.selfMillis())));
            out.println("");
            out.table(imports);
        }
    }

    private static List<Agent> selected(Inventory inventory, List<String> names) {
        AgentLookup.nonEmpty(inventory);
        if (names == null || names.isEmpty()) {
            return inventory.agents();
        }
        return names.stream().map(n -> AgentLookup.agent(inventory, n)).distinct().toList();
    }

    private static TextTable table(List<Baseline> baselines) {
        TextTable table = new TextTable("MACHINE", "AGENT", "V", "LOAD MS", "SPREAD", "PEAK RSS MB", "MODULES", "COSTLIEST IMPORTS").note("COSTLIEST IMPORTS");
        for (Baseline b : baselines) {
            AgentProfile p = b.profile();
            if (!p.loaded()) {
                table.row(p.target().agent().machine(), p.target().agent().name(), b.version(), "FAILED", "-", "-", "-",
                        p.failure().map(Object::toString).orElse(""));
                continue;
            }
            Stats load = p.loadMillis();
            // A Java agent's figure is start to healthy and it loads no Python modules: marked, never read as a module load.
            boolean java = p.python() != null && p.python().startsWith("java ");
            table.row(p.target().agent().machine(), p.target().agent().name(), b.version(), "%.1f%s".formatted(load.median(), java ? " start" : ""),
                    "%.1f-%.1f".formatted(load.min(), load.max()), "%.1f".formatted(p.peakRssKb().median() / 1024.0),
                    java ? "-" : "%.0f".formatted(p.modulesLoaded().median()),
                    String.join(", ", p.directImports().stream().limit(3)
                            .map(i -> "%s %.0f".formatted(i.module(), i.cumulativeMillis())).toList()));
        }
        return table;
    }

    static String oneLine(AgentProfile p) {
        if (!p.loaded()) {
            return "FAILED " + p.failure().map(Object::toString).orElse("");
        }
        Stats load = p.loadMillis();
        String what = p.python() != null && p.python().startsWith("java ") ? "start to healthy " : "";
        return what + "%.1f ms median (%.1f-%.1f over %d runs), peak RSS %.1f MB".formatted(load.median(), load.min(), load.max(),
                load.n(), p.peakRssKb().median() / 1024.0);
    }

    /**
     * A stored baseline as {@code profile}, {@code baseline list} and {@code baseline show} print it: the figures of a
     * profile that loaded, or the error of one that did not (absent keys, not nulls); {@code samples} only in
     * {@code baseline show}.
     */
    record BaselineJson(String agent, int version, String createdAt, String script, String scriptSha256, String python, String pythonVersion,
                        String measuredOn, boolean loaded, int runs, @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<LoadJson> loadMs,
                        @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<Double> peakRssKbMedian,
                        @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<Double> modulesLoadedMedian,
                        @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<StatementJson>> statements,
                        @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<ImportJson>> directImports,
                        @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<LoadSample.LoadError> error,
                        @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<List<SampleJson>> samples) {

        static BaselineJson of(Baseline b) {
            return of(b, false);
        }

        static BaselineJson of(Baseline b, boolean withSamples) {
            AgentProfile p = b.profile();
            boolean loaded = p.loaded();
            Stats load = loaded ? p.loadMillis() : null;
            return new BaselineJson(p.target().agent().toString(), b.version(), b.createdAt().toString(), p.target().script().toString(),
                    b.scriptSha256(), p.target().python(), p.python(), p.measuredOn(), loaded, p.samples().size(),
                    loaded ? Optional.of(new LoadJson(load.median(), load.min(), load.max())) : Optional.empty(),
                    loaded ? Optional.of(p.peakRssKb().median()) : Optional.empty(),
                    loaded ? Optional.of(p.modulesLoaded().median()) : Optional.empty(),
                    loaded ? Optional.of(p.statements().stream().map(st -> new StatementJson(st.line(), st.module(), st.millis(), st.rssKb(),
                            st.importTimeCumulativeMillis(), st.importTimeSelfMillis())).toList()) : Optional.empty(),
                    loaded ? Optional.of(p.directImports().stream().map(i -> new ImportJson(i.module(), i.cumulativeMillis(), i.selfMillis()))
                            .toList()) : Optional.empty(),
                    loaded ? Optional.empty() : p.failure(),
                    withSamples ? Optional.of(p.samples().stream().map(SampleJson::of).toList()) : Optional.empty());
        }

        record LoadJson(double median, double min, double max) {
        }

        record StatementJson(int line, String module, double ms, double rssKb, double importtimeCumulativeMs, double importtimeSelfMs) {
        }

        record ImportJson(String module, double cumulativeMs, double selfMs) {
        }

        /**
         * One raw sample: imports as {@code [module, depth, self µs, cumulative µs]}, statements as {@code [module, line, ms, rss kB]};
         * CPU time and the machine's load average when the load started, null where they were not recorded.
         */
        record SampleJson(int run, boolean ok, double loadMs, long peakRssKb, int modulesLoaded, List<List<Object>> imports,
                          List<List<Object>> statements, String error, Double cpuMs, Double loadAverage) {

            static SampleJson of(LoadSample s) {
                return new SampleJson(s.run(), s.ok(), s.loadMillis(), s.peakRssKb(), s.modulesLoaded(),
                        s.imports().stream().map(i -> List.<Object>of(i.module(), i.depth(), i.selfMicros(), i.cumulativeMicros())).toList(),
                        s.statements().stream().map(c -> List.<Object>of(c.module(), c.line(), c.millis(), c.rssKb())).toList(),
                        s.error() == null ? null : s.error().toString(), Double.isFinite(s.cpuMillis()) ? s.cpuMillis() : null,
                        Double.isFinite(s.loadAverage()) ? s.loadAverage() : null);
            }
        }
    }

    /** {@code profile --json}, and the module-load half of {@code baseline list --json}. */
    record BaselinesJson(List<BaselineJson> baselines) {
    }
}
