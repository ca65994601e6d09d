package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.analysis.PythonFacts;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.optimize.Optimization;
import io.fleetshell.engine.optimize.Optimizer;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.Patterns;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.proof.Prover;
import io.fleetshell.engine.stats.MannWhitney;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code optimize}: rewrite one agent with the patterns, prove the rewrite, and show (or apply) it. */
@Component
public class OptimizeCommands {

    static final String GROUP = "Optimize";
    /** Significance level of the load-time rank test. */
    static final double ALPHA = 0.05;

    private final ShellSession session;

    public OptimizeCommands(ShellSession session) {
        this.session = session;
    }

    @Journaled
    @Command(name = "optimize", group = GROUP, help = "optimize AGENT [--pattern P] [--dry-run] [--runs N] [--json]",
            completionProvider = "agentCompletion",
            description = "Rewrite one agent with lazy_loading and dependency_reduction (or --pattern P) and prove the rewrite "
                    + "under the agent's own interpreter: it compiles, adds no undefined name, loads (or fails exactly as "
                    + "before), keeps the module's names, loads faster beyond noise (rank test over N runs each), and "
                    + "passes the agent's test_command. Shows the unified diff, what stayed eager and why, what behaviour "
                    + "still changes, and the measured load time before and after with each deferred module's first-use cost.")
    public void optimize(@Argument(index = 0) String name,
                         @Option(longName = "pattern", description = "only this pattern: " + "lazy_loading or dependency_reduction") String pattern,
                         @Option(longName = "dry-run", description = "show the rewrite and its proof; change nothing") boolean dryRun,
                         @Option(longName = "runs", defaultValue = "11", description = "fresh-process loads of each version for the load-time test") Integer runs,
                         @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (name == null || name.isBlank()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name one agent: optimize AGENT [--pattern P] [--dry-run]");
        }
        int fewest = MannWhitney.minimumPerSide(ALPHA);
        if (runs < fewest || runs > 100) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--runs must be between %d and 100 (with fewer a rank test at p < %.2f cannot decide)"
                    .formatted(fewest, ALPHA));
        }
        List<Pattern> patterns = pattern == null ? Patterns.all() : List.of(Patterns.byId(pattern));
        Inventory inventory = AgentLookup.nonEmpty(session.inventoryStore().inventory());
        Agent agent = AgentLookup.agent(inventory, name);
        Machine machine = inventory.machine(agent.machine()).orElseThrow();
        session.journal().agents(List.of(agent.id()));
        if (!dryRun) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, ("optimize applies changes only through the rollout's backup and "
                    + "atomic-write path, which this build does not have yet; run optimize %s --dry-run to see the rewrite and "
                    + "its proof. Nothing was changed.").formatted(agent.name()));
        }
        Output out = session.output();
        out.info("Optimizing %s (%s) with %s; proving with %d loads of each version...".formatted(agent.id(), machine.python(),
                String.join(", ", patterns.stream().map(Pattern::id).toList()), runs));
        Prover prover = new Prover(new Prover.Settings(runs, ALPHA, Duration.ofSeconds(60), Duration.ofMinutes(10)),
                session.home().bytecodeCache());
        Optimizer optimizer = new Optimizer(new PythonFacts(session.home().helpers()), session.settings().sideEffectModules(), prover);
        Optimization result = optimizer.optimize(agent, machine, patterns);
        session.journal().summary(summary(result));
        if (json) {
            out.json(json(result, false));
        } else {
            print(out, result);
        }
        if (result.rewrite().changes() && !result.deployable()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "%s: the rewrite is not deployable: %s".formatted(agent.id(),
                    result.proof().firstFailure().map(ProofCheck::detail).orElse("no check passed")));
        }
    }

    private static String summary(Optimization result) {
        if (!result.rewrite().changes()) {
            return "optimize %s: nothing to change".formatted(result.agent().id());
        }
        return "optimize %s (%s, dry run): %s".formatted(result.agent().id(), result.rewrite().pattern(),
                result.deployable() ? "deployable" : "not deployable");
    }

    private static void print(Output out, Optimization result) {
        Agent agent = result.agent();
        out.println("%s: %s (Python %s, %s)".formatted(agent.id(), agent.script().path(), result.pythonVersion(), result.python()));
        if (!result.rewrite().changes()) {
            out.println("nothing to change:");
            result.applicability().forEach((id, a) -> a.reasons().forEach(r -> out.println("  %s: %s".formatted(id, r))));
            return;
        }
        out.println("");
        for (String line : result.rewrite().unifiedDiff().split("\n")) {
            out.println(line.startsWith("+") && !line.startsWith("+++") ? out.style(line, "32")
                    : line.startsWith("-") && !line.startsWith("---") ? out.style(line, "31") : line);
        }
        out.println("notes:");
        result.rewrite().notes().forEach(n -> out.println("  " + n));
        out.println("");
        Proof proof = result.proof();
        TextTable table = new TextTable("CHECK", "RESULT", "DETAIL");
        proof.checks().forEach(c -> table.row(c.name(), outcome(out, c.outcome()), c.detail()));
        out.println(table.render());
        proof.checks().stream().filter(c -> c.name().equals("load time") && c.evidence().containsKey("first_use_ms")).findFirst()
                .ifPresent(c -> out.println("first use after load (ms, one run): " + c.evidence().get("first_use_ms")));
        out.println(result.deployable() ? out.style("deployable", "32") + " (dry run: nothing was changed)"
                : out.style("not deployable", "31") + ": " + proof.firstFailure().map(ProofCheck::detail).orElse("no check passed"));
    }

    private static String outcome(Output out, ProofCheck.Outcome outcome) {
        return switch (outcome) {
            case PASSED -> out.style("passed", "32");
            case FAILED -> out.style("FAILED", "31");
            case SKIPPED -> "skipped";
        };
    }

    /** The JSON other tools read (benchfleet applies {@code diff} with patch): stable keys, insertion-ordered. */
    static Map<String, Object> json(Optimization result, boolean applied) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agent", result.agent().id().toString());
        m.put("file", result.agent().script().path().toString());
        m.put("python", result.python());
        m.put("python_version", result.pythonVersion());
        m.put("pattern", result.rewrite().pattern());
        Map<String, Object> patterns = new LinkedHashMap<>();
        result.applicability().forEach((id, a) -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("applies", a.applies());
            p.put("reasons", a.reasons());
            patterns.put(id, p);
        });
        m.put("patterns", patterns);
        m.put("changes", result.rewrite().changes());
        m.put("diff", result.rewrite().unifiedDiff());
        m.put("notes", result.rewrite().notes());
        m.put("deferred", result.deferredNames());
        if (result.proof() == null) {
            m.put("proof", null);
        } else {
            Map<String, Object> proof = new LinkedHashMap<>();
            proof.put("deployable", result.deployable());
            proof.put("checks", result.proof().checks().stream().map(c -> {
                Map<String, Object> check = new LinkedHashMap<>();
                check.put("name", c.name());
                check.put("outcome", c.outcome().name().toLowerCase());
                check.put("detail", c.detail());
                check.put("evidence", c.evidence());
                return check;
            }).toList());
            m.put("proof", proof);
        }
        m.put("applied", applied);
        return m;
    }
}
