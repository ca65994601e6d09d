package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.health.BusyMachine;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.score.AgentScore;
import io.fleetshell.engine.score.ScoreReport;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.util.List;

/** {@code score}: which agents are worth optimizing, from static facts and measured baselines. */
@Component
public class ScoreCommands {

    private final ShellSession session;
    private final Measurements measurements;
    private final ModuleViews modules;

    public ScoreCommands(ShellSession session, Measurements measurements, ModuleViews modules) {
        this.session = session;
        this.measurements = measurements;
        this.modules = modules;
    }

    @Command(name = "score", group = ProfileCommands.GROUP, help = "score [AGENT|MODULE] [--modules] [--top N] [--machine M] [--batch-size N] [--json]",
            completionProvider = "agentOrModuleCompletion",
            description = "Rank agents for optimization, 0-10, from measurements and import facts. Factors: start-up impact "
                    + "(0-4), heavy dependencies (0-3), memory (0-2), initialization complexity (0-1); with the risk, the "
                    + "recommended patterns, the measured gain they would bring, and candidates grouped into batches. "
                    + "With AGENT, that agent's factors and every import statement's verdict, cost and reason. "
                    + "--modules ranks the fleet's own modules (files under the fleet root that agents import) by the start-up "
                    + "cost their deferrable imports add across every agent that loads them; MODULE (a dotted name or a path "
                    + "under the fleet root) shows one: its imports with their fleet-wide verdicts, importers and dependents; "
                    + "a module outside the fleet's own code (asyncio, numpy) shows who imports it and what it costs the agents that load it.")
    public void score(@Argument(index = 0) String name,
                      @Option(longName = "modules", description = "rank the fleet's own modules instead of agents") boolean byModule,
                      @Option(longName = "top", description = "only the N best candidates") Integer top,
                      @Option(longName = "machine", description = "only this machine's agents") String machine,
                      @Option(longName = "batch-size", defaultValue = "5", description = "candidates per rollout batch") Integer batchSize,
                      @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (batchSize < 1 || (top != null && top < 1)) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--top and --batch-size must be 1 or more");
        }
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        if (byModule && !name.isBlank()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT,
                    "score --modules ranks every module; give either --modules or a MODULE (score %s), not both".formatted(name));
        }
        if (byModule) {
            if (machine != null) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "score --modules covers every machine, since modules are shared: leave out --machine");
            }
            modules.ranking(inventory, top, json);
            return;
        }
        if (!name.isBlank() && inventory.find(AgentId.parse(name)).isEmpty()
                && modules.detail(inventory, name, json, namesModule(inventory, name))) {
            return;
        }
        Agent one = name.isBlank() ? null : AgentLookup.agent(inventory, name);
        List<Agent> agents = one != null ? List.of(one)
                : machine == null ? inventory.agents() : inventory.onMachine(AgentLookup.machine(inventory, machine).name());
        List<AgentScore> scores = measurements.scores(inventory, agents);
        Output out = session.output();
        if (one != null) {
            AgentScore score = scores.getFirst();
            if (json) {
                out.json(ScoreJson.of(score));
            } else {
                out.println(detail(out, score));
            }
            return;
        }
        ScoreReport report = ScoreReport.of(scores, batchSize);
        List<AgentScore> shown = top == null ? report.agents() : report.agents().stream().limit(top).toList();
        if (json) {
            out.json(new ReportJson(shown.stream().map(ScoreJson::of).toList(),
                    report.batches().stream().map(b -> b.stream().map(AgentId::toString).toList()).toList()));
            return;
        }
        TextTable table = new TextTable("#", "AGENT", "SCORE", "POTENTIAL", "RISK", "LOAD MS", "GAIN MS", "RECOMMENDATION / REASON")
                .note("RECOMMENDATION / REASON");
        int rank = 0;
        for (AgentScore s : shown) {
            String why = !s.recommendations().isEmpty()
                    ? String.join("; ", s.recommendations().stream().map(r -> r.pattern() + ": " + r.reason()).toList())
                    : s.reasons().isEmpty() ? "" : s.reasons().getFirst();
            table.row(++rank, s.agent(), "%.1f".formatted(s.score()), band(out, s),
                    s.status() == AgentScore.Status.NOT_OPTIMIZABLE ? "-" : s.risk().name().toLowerCase(),
                    millis(s, s.loadMillis()), millis(s, s.predictedGainMs()), why);
        }
        out.table(table);
        if (!report.batches().isEmpty()) {
            out.println("");
            for (int i = 0; i < report.batches().size(); i++) {
                out.println(TextTable.wrap("batch %d: ".formatted(i + 1),
                        String.join(", ", report.batches().get(i).stream().map(AgentId::toString).toList()), out.width()));
            }
        }
        java.util.Set<AgentId> scored = new java.util.HashSet<>(scores.stream().map(AgentScore::agent).toList());
        BusyMachine.warning(session.baselines().latest().stream().map(io.fleetshell.history.Baseline::profile)
                .filter(p -> scored.contains(p.target().agent())).toList(), -1, Runtime.getRuntime().availableProcessors()).ifPresent(out::warn);
        long unmeasured = scores.stream().filter(s -> s.status() != AgentScore.Status.NOT_OPTIMIZABLE && s.baselineVersion() == 0).count();
        if (unmeasured > 0) {
            out.info("%d agent%s scored from static facts only: profile measures them.".formatted(unmeasured, unmeasured == 1 ? " was" : "s were"));
        }
        out.info("score --json gives every factor, reason and statement behind these figures; baseline show AGENT the raw samples.");
    }

    /**
     * Whether the argument names a module rather than an agent: no agent has that name, and it is dotted, a {@code .py}
     * file or a path whose first part is no machine ({@code mainpc/TutorAgent} is an agent's id).
     */
    static boolean namesModule(Inventory inventory, String name) {
        if (!inventory.find(AgentId.parse(name)).isEmpty()) {
            return false;
        }
        int slash = name.indexOf('/');
        return name.contains(".") || (slash >= 0 && inventory.machine(name.substring(0, slash)).isEmpty());
    }

    /** A measured figure; a Java agent's is start to healthy, marked so that nobody adds it to module loads. */
    private static String millis(AgentScore s, Double value) {
        if (value == null) {
            return "-";
        }
        return s.measure() == AgentScore.Measure.START_TO_HEALTHY ? "%.1f start".formatted(value) : "%.1f".formatted(value);
    }

    /** One agent's score in full: the factors, then every import statement with its verdict, cost and reason. */
    private static String detail(Output out, AgentScore s) {
        StringBuilder text = new StringBuilder();
        text.append("%s: %.1f / 10, %s, risk %s%n".formatted(s.agent(), s.score(), band(out, s),
                s.status() == AgentScore.Status.NOT_OPTIMIZABLE ? "-" : s.risk().name().toLowerCase()));
        text.append(s.baselineVersion() > 0
                ? "measured: baseline v%d, %s %.1f ms median, predicted gain %.1f ms%n".formatted(s.baselineVersion(),
                s.measure() == AgentScore.Measure.START_TO_HEALTHY ? "start to healthy" : "module load", s.loadMillis(), s.predictedGainMs())
                : "not measured: static facts only%n".formatted());
        AgentScore.Factors f = s.factors();
        text.append("factors: start-up impact %.1f/4, heavy dependencies %.1f/3, memory %.1f/2, initialization complexity %.1f/1%n"
                .formatted(f.startupImpact(), f.heavyDependencies(), f.memory(), f.initComplexity()));
        s.recommendations().forEach(r -> text.append("recommended: %s: %s%n".formatted(r.pattern(), r.reason())));
        s.reasons().forEach(r -> text.append("why: %s%n".formatted(r)));
        if (!s.statements().isEmpty()) {
            TextTable table = new TextTable("LINE", "IMPORT OR INITIALIZER", "VERDICT", "MS", "RSS KB", "REASON").note("REASON");
            s.statements().forEach(st -> table.row(st.line(), st.text(), st.verdict(), st.millis(), st.rssKb(), st.reason()));
            text.append('\n').append(table.render(out.width()));
        }
        return text.toString().stripTrailing();
    }

    private static String band(Output out, AgentScore s) {
        String label = s.status() == AgentScore.Status.NOT_OPTIMIZABLE ? "not optimizable"
                : s.status() == AgentScore.Status.NOTHING_TO_GAIN ? (s.baselineVersion() == 0 ? "not profiled" : "nothing to gain")
                : s.band().potential();
        String colour = switch (s.band()) {
            case HIGH -> "32";
            case MEDIUM -> "33";
            case LOW -> "31";
        };
        return out.style(label, colour);
    }

    /**
     * {@code score --json} of one agent: every factor, reason and statement behind its score. {@code band} and {@code risk}
     * always agree; {@code measure} says whether {@code load_ms} and {@code predicted_gain_ms} are a module load or a Java
     * start to healthy; {@code error} (kind, file, line, column, message) is there only for a file that cannot be analyzed
     * or loaded.
     */
    record ScoreJson(String agent, String status, double score, String band, String risk, FactorsJson factors, Double loadMs,
                     Double predictedGainMs, int baselineVersion, List<AgentScore.Recommendation> recommendations, List<String> reasons,
                     List<StatementJson> statements, String measure,
                     @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) AgentScore.Error error) {

        static ScoreJson of(AgentScore s) {
            AgentScore.Factors f = s.factors();
            return new ScoreJson(s.agent().toString(), s.status().name().toLowerCase(), s.score(), s.bandLabel(), s.risk().name().toLowerCase(),
                    new FactorsJson(f.startupImpact(), f.heavyDependencies(), f.memory(), f.initComplexity()), s.loadMillis(), s.predictedGainMs(),
                    s.baselineVersion(), s.recommendations(), s.reasons(), s.statements().stream().map(st -> new StatementJson(st.line(),
                    st.text(), st.verdict(), st.reason(), st.millis(), st.rssKb())).toList(), s.measure().name().toLowerCase(), s.error());
        }

        record FactorsJson(double startupImpact, double heavyDependencies, double memory, double initComplexity) {
        }

        record StatementJson(int line, String text, String verdict, String reason, Double ms, Double rssKb) {
        }
    }

    /** {@code score --json} of the fleet: the agents shown, best first, and the candidates in rollout batches. */
    record ReportJson(List<ScoreJson> agents, List<List<String>> batches) {
    }
}
