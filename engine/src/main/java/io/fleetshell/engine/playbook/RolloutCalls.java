package io.fleetshell.engine.playbook;

import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.rollout.BatchSpec;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.OnFail;
import io.fleetshell.engine.rollout.Plan;
import io.fleetshell.engine.rollout.PlanStep;
import io.fleetshell.engine.rollout.Restorer;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.RolloutOptions;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.runtime.ProbeResult;
import org.graalvm.polyglot.Value;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code fleet} functions that reach the running fleet and the rollout engine: health, metrics,
 * gate, plan, deploy and rollback. {@code deploy} plans the whole rollout once and runs it as ONE deployment
 * through the rollout executor (backups, atomic writes, proofs, restarts, gates, the batch gate and
 * {@code onFail}, the fleet lock and its journal, exactly as {@code batch deploy}), its batches cut as they
 * start by the playbook's policies ({@link PlaybookBatches}): {@code batchSize(index, history)} sizes the next
 * batch, {@code shouldContinue(batch)} decides whether to go on. A dry run cuts the same batches from the plan
 * and journals what each would deploy, writing nothing.
 */
final class RolloutCalls {

    static final List<String> DEPLOY_OPTIONS = List.of("pattern", "batchSize", "shouldContinue", "interval", "maxFail", "onFail",
            "proofRuns");
    /** {@code batch deploy --runs}: fresh-process loads of each version for the load-time proof. */
    static final int DEFAULT_PROOF_RUNS = 11;
    /** The fewest loads per version with which the rank test can ever decide at 5%. */
    static final int FEWEST_PROOF_RUNS = 4;

    private final FleetPort port;
    private final RunControl control;
    private final FleetApi api;
    private final boolean dryRun;
    private final boolean simulated;

    RolloutCalls(FleetPort port, RunControl control, FleetApi api, RunMode mode) {
        this.port = port;
        this.control = control;
        this.api = api;
        this.dryRun = mode == RunMode.DRY_RUN;
        this.simulated = mode == RunMode.SIMULATE;
    }

    List<Map<String, Object>> health(ApiArgs args, int line) {
        args.atMost(1, "health([agents])");
        Inventory inventory = port.inventory();
        List<Agent> agents = args.has(0) ? args.agents(0, "the agents", inventory) : inventory.agents();
        List<ProbeResult> probes = control.action(() -> port.health(agents));
        List<Map<String, Object>> result = probes.stream().map(p -> ApiValues.object("agent", p.agent().toString(), "healthy", p.healthy(),
                "outcome", p.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'), "status", p.statusCode(), "ms", p.millis(),
                "detail", p.healthy() ? null : p.oneLine())).toList();
        long healthy = probes.stream().filter(ProbeResult::healthy).count();
        api.journal(JournalEntry.Kind.READ, line, "health of %d agent%s: %d healthy".formatted(probes.size(), probes.size() == 1 ? "" : "s", healthy),
                ApiValues.object("probes", result));
        return result;
    }

    Map<String, Object> metrics(ApiArgs args, int line) {
        args.atMost(2, "metrics(agent, '10m')");
        List<Agent> agents = args.agents(0, "the agent", port.inventory());
        if (agents.size() != 1) {
            throw args.bad("the agent must be one agent, not " + agents.size());
        }
        Duration window = args.has(1) ? args.duration(1, "the window") : Duration.ofMinutes(10);
        FleetPort.MetricsWindow m = control.action(() -> port.metrics(agents.getFirst(), window));
        Map<String, Object> result = ApiValues.object("agent", m.agent().id().toString(), "window", DurationText.format(m.window()),
                "scrapes", m.scrapes(), "requests", m.requests(), "errors", m.errors(), "errorRate", m.errorRate(),
                "p50Ms", m.p50Ms(), "p95Ms", m.p95Ms());
        api.journal(JournalEntry.Kind.READ, line, "metrics %s over %s: %d scrape%s".formatted(m.agent().id(), DurationText.format(window),
                m.scrapes(), m.scrapes() == 1 ? "" : "s"), result);
        return result;
    }

    List<Map<String, Object>> gate(ApiArgs args, int line) {
        args.atMost(2, "gate(agents, {gates, since})");
        List<Agent> agents = args.agents(0, "the agents", port.inventory());
        Map<String, Object> options = args.options(1, "the options", List.of("gates", "since"));
        List<String> names = new ArrayList<>();
        Object gates = options.get("gates");
        if (gates != null) {
            if (!(gates instanceof List<?> list) || !list.stream().allMatch(g -> g instanceof String)) {
                throw args.bad("gates must be an array of gate names such as ['health', 'error rate'], not " + ApiArgs.describe(gates));
            }
            list.forEach(g -> names.add((String) g));
        }
        Duration since = options.get("since") == null ? Duration.ofMinutes(10)
                : DurationText.parse(String.valueOf(options.get("since"))).orElseThrow(() ->
                args.bad("since must be a duration such as '10m', not " + ApiArgs.describe(options.get("since"))));
        Instant from = Instant.now().minus(since);
        List<Map<String, Object>> result = new ArrayList<>();
        for (Agent agent : agents) {
            for (GateDecision d : control.action(() -> port.gate(agent, names, from))) {
                result.add(ApiValues.object("agent", agent.id().toString(), "gate", d.gate(),
                        "verdict", d.verdict().name().toLowerCase(Locale.ROOT), "rule", d.rule(), "summary", d.summary()));
            }
        }
        long failed = result.stream().filter(r -> !"pass".equals(r.get("verdict"))).count();
        api.journal(JournalEntry.Kind.READ, line, "gate %d agent%s: %d decision%s, %d not passed".formatted(agents.size(),
                agents.size() == 1 ? "" : "s", result.size(), result.size() == 1 ? "" : "s", failed), ApiValues.object("decisions", result));
        return result;
    }

    Map<String, Object> plan(ApiArgs args, int line) {
        args.atMost(2, "plan(agents, {pattern, batchSize})");
        List<Agent> agents = args.agents(0, "the agents", port.inventory());
        Map<String, Object> options = args.options(1, "the options", List.of("pattern", "batchSize"));
        String pattern = pattern(args, options);
        BatchSpec spec = spec(args, options.get("batchSize") == null ? "100%" : options.get("batchSize"));
        Plan plan = control.action(() -> port.plan(agents, pattern, new RolloutOptions(spec, Duration.ZERO, 0, OnFail.ROLLBACK_BATCH)));
        Map<String, Object> result = planJson(plan);
        api.journal(JournalEntry.Kind.READ, line, "plan %s for %d agent%s: %d step%s in %d batch%s, %d skipped".formatted(pattern,
                agents.size(), agents.size() == 1 ? "" : "s", plan.steps().size(), plan.steps().size() == 1 ? "" : "s",
                plan.batchCount(), plan.batchCount() == 1 ? "" : "es", plan.skipped().size()), ApiValues.object("batches", result.get("batches"),
                "skipped", result.get("skipped")));
        return result;
    }

    Map<String, Object> deploy(ApiArgs args, Value policies, int line) {
        args.atMost(2, "deploy(agents, {pattern, batchSize, shouldContinue, interval, maxFail, onFail})");
        Inventory inventory = port.inventory();
        List<Agent> agents = args.agents(0, "the agents", inventory);
        Map<String, Object> options = args.options(1, "the options", DEPLOY_OPTIONS);
        String pattern = pattern(args, options);
        boolean sizePolicy = policies.hasMember("batchSize");
        BatchSpec spec = sizePolicy ? null : spec(args, options.get("batchSize") == null ? "100%" : options.get("batchSize"));
        Duration interval = options.get("interval") == null ? RolloutOptions.DEFAULT_INTERVAL
                : DurationText.parse(String.valueOf(options.get("interval"))).orElseThrow(() ->
                args.bad("interval must be a duration such as '30s', not " + ApiArgs.describe(options.get("interval"))));
        double maxFail = options.get("maxFail") == null ? 0 : number(args, options, "maxFail", 0, 100);
        OnFail onFail = options.get("onFail") == null ? OnFail.ROLLBACK_BATCH : parse(args, () -> OnFail.parse(String.valueOf(options.get("onFail"))));
        int proofRuns = args.integer(options, "proofRuns", DEFAULT_PROOF_RUNS, FEWEST_PROOF_RUNS, 100);

        // Resolved once up front: the order, what is left out and every step; nothing is written. It is stored as one
        // batch of every step in that order, and the executor cuts each batch as it starts, at the policy's size.
        RolloutOptions run = new RolloutOptions(spec == null ? BatchSpec.parse("1") : spec, interval, maxFail, onFail);
        Plan planned = control.action(() -> port.plan(agents, pattern, new RolloutOptions(BatchSpec.parse("100%"), interval, maxFail,
                onFail)));
        Plan whole = new Plan(planned.pattern(), planned.steps(), planned.skipped(), run);
        int total = whole.steps().size();
        PlaybookBatches batches = new PlaybookBatches(policies, spec, api, control, line, simulated);
        List<Long> deployments = new ArrayList<>();
        String stopped = null;
        if (dryRun) {
            stopped = dryRun(whole, batches, pattern);
        } else if (total > 0) {
            DeploymentResult r = control.action(() -> port.deploy(whole, proofRuns, batches, batches));
            batches.settle(r);
            deployments.add(r.deploymentId());
            int last = batches.history().size();
            if (batches.stoppedByPolicy()) {
                long left = r.count(StepState.PENDING);
                stopped = "the policy shouldContinue stopped the rollout after batch %d; %d agent%s not deployed".formatted(last, left,
                        left == 1 ? "" : "s");
            } else if (!r.ok()) {
                // The summary names the batch itself ("stopped at batch 2: ..."): say it once.
                stopped = r.summary() != null && r.summary().contains("at batch ")
                        ? "deployment %d %s".formatted(r.deploymentId(), r.state().with(r.summary()))
                        : "deployment %d %s at batch %d: %s".formatted(r.deploymentId(), r.state().words(), last, r.summary());
            }
        }
        List<Map<String, Object>> history = batches.history();
        if (stopped != null) {
            api.halt(stopped, line);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("pattern", pattern);
        result.put("dryRun", dryRun || simulated);
        result.put("planned", total);
        result.put("deployments", deployments);
        result.put("batches", history);
        result.put("skipped", whole.skipped().stream().map(s -> ApiValues.object("agent", s.agent().toString(), "reason", s.reason())).toList());
        result.put("stopped", stopped != null);
        result.put("reason", stopped);
        return result;
    }

    List<Map<String, Object>> rollback(ApiArgs args, int line) {
        args.atMost(2, "rollback(deployment, {reason})");
        List<Long> ids = new ArrayList<>();
        Object target = args.get(0);
        if (target instanceof Number n) {
            ids.add(n.longValue());
        } else if (target instanceof Map<?, ?> m && m.get("deployments") instanceof List<?> list) {
            list.forEach(d -> ids.add(((Number) d).longValue()));
        } else {
            throw args.bad("the deployment must be a deployment id or what fleet.deploy returned, not " + ApiArgs.describe(target));
        }
        Map<String, Object> options = args.options(1, "the options", List.of("reason"));
        String why = "playbook " + api.playbookName() + ": " + (options.get("reason") == null ? "fleet.rollback" : options.get("reason"));
        List<Map<String, Object>> result = new ArrayList<>();
        for (long id : ids.reversed()) {
            if (dryRun || simulated) {
                api.journal(JournalEntry.Kind.ACTION, line, "%s: would roll back deployment %d".formatted(simulated ? "simulation" : "dry run", id), null);
                continue;
            }
            RolloutExecutor.RollbackResult r = control.action(() -> port.rollback(id, why));
            for (Restorer.Outcome o : r.outcomes()) {
                StoredStep s = o.step();
                String detail = switch (o) {
                    case Restorer.Restored restored -> "restored (sha256 %s verified)".formatted(restored.sha256().substring(0, 12));
                    case Restorer.Refused refused -> "refused: " + refused.reason();
                    case Restorer.Failed failed -> "failed: " + failed.reason();
                };
                result.add(ApiValues.object("deployment", id, "agent", s.agent().toString(), "step", s.label(),
                        "restored", o instanceof Restorer.Restored, "detail", detail, "health", r.health().get(s.agent())));
            }
            api.journal(JournalEntry.Kind.ACTION, line, "rollback of deployment %d: %d step%s".formatted(id, r.outcomes().size(),
                    r.outcomes().size() == 1 ? "" : "s"), ApiValues.object("outcomes", result));
        }
        return result;
    }

    /**
     * A dry run: the batches the policies cut from the plan, each journaled as what it would deploy; nothing is
     * stored or written. Returns why it stopped early, or null.
     */
    private String dryRun(Plan whole, PlaybookBatches batches, String pattern) {
        List<AgentId> queue = new ArrayList<>(whole.steps().stream().map(PlanStep::agent).toList());
        int total = queue.size();
        for (int index = 0; !queue.isEmpty(); index++) {
            List<AgentId> ids = new ArrayList<>(queue.subList(0, Math.min(batches.size(index, total, queue.size()), queue.size())));
            queue.subList(0, ids.size()).clear();
            Map<String, Object> batch = PlaybookBatches.batchJson(index, null, "planned", "dry run: would deploy " + pattern + " to "
                    + ids.size() + " agent" + (ids.size() == 1 ? "" : "s"), ids.stream().map(id -> ApiValues.object("agent", id.toString(),
                    "state", "planned", "detail", "dry run: nothing written")).toList());
            batches.add(batch, "dry run: batch %d would deploy %s to %s".formatted(index + 1, pattern,
                    String.join(", ", ids.stream().map(AgentId::toString).toList())));
            if (!queue.isEmpty() && !batches.shouldContinue(batch, index)) {
                return "the policy shouldContinue stopped the rollout after batch %d; %d agent%s not deployed".formatted(index + 1,
                        queue.size(), queue.size() == 1 ? "" : "s");
            }
        }
        return null;
    }

    private static String pattern(ApiArgs args, Map<String, Object> options) {
        Object pattern = options.get("pattern");
        if (!(pattern instanceof String s) || s.isBlank()) {
            throw args.bad("the options need a pattern, e.g. {pattern: 'lazy_loading'}");
        }
        return s;
    }

    private static BatchSpec spec(ApiArgs args, Object value) {
        if (!(value instanceof String) && !(value instanceof Number)) {
            throw args.bad("batchSize must be a number, a spec such as '1,5,20%' or a policy function, not " + ApiArgs.describe(value));
        }
        if (value instanceof Number n && (n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 1 || n.doubleValue() > Integer.MAX_VALUE)) {
            throw args.bad("batchSize must be a whole number of agents, 1 or more, not " + ApiArgs.describe(value));
        }
        String text = value instanceof Number n ? String.valueOf(n.longValue()) : (String) value;
        return parse(args, () -> BatchSpec.parse(text));
    }

    private static double number(ApiArgs args, Map<String, Object> options, String key, double min, double max) {
        if (!(options.get(key) instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < min || n.doubleValue() > max) {
            throw args.bad("%s must be a number from %s to %s, not %s".formatted(key, min, max, ApiArgs.describe(options.get(key))));
        }
        return n.doubleValue();
    }

    private static <T> T parse(ApiArgs args, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (FleetshellException e) {
            throw args.bad(e.getMessage());
        }
    }

    private static Map<String, Object> planJson(Plan plan) {
        List<List<String>> batches = new ArrayList<>();
        for (int b = 1; b <= plan.batchCount(); b++) {
            batches.add(plan.batch(b).stream().map(s -> s.agent().toString()).toList());
        }
        return ApiValues.object("pattern", plan.pattern(), "batches", batches,
                "steps", plan.steps().stream().map(s -> ApiValues.object("batch", s.batch(), "position", s.position(),
                        "agent", s.agent().toString(), "predictedGainMs", s.predictedGainMs(), "diff", s.rewrite().unifiedDiff())).toList(),
                "skipped", plan.skipped().stream().map(s -> ApiValues.object("agent", s.agent().toString(), "reason", s.reason())).toList());
    }
}
