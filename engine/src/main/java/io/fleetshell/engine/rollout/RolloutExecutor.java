package io.fleetshell.engine.rollout;

import io.fleetshell.engine.Progress;
import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.gate.Analysis;
import io.fleetshell.engine.gate.Gate;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.proof.Proof;
import io.fleetshell.engine.proof.ProofCheck;
import io.fleetshell.engine.runtime.ProbeTarget;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Executes a stored plan batch by batch: the one batch loop of every rollout ({@code batch deploy}, {@code optimize},
 * {@code deploy resume}, a playbook's {@code fleet.deploy}), its batches sized as they start by a {@link BatchPolicy}
 * (by default the plan's own {@link BatchSpec}). Per step: check the file is still what the plan expects (else
 * "drifted", untouched), back it up and journal the intent, write atomically, prove, restart the agent if
 * it runs and a restart method is known, gate it, record. A step of several files (a shared module's) does each of
 * these for all its files as one unit (every file checked before the first is written, every file restored when
 * anything fails) and restarts and gates the module's running dependents together. A step whose proof or gate fails is restored at
 * once. Between batches: the batch gate ({@code --max-fail}) and {@code --on-fail}, the policy's
 * {@code shouldContinue}, then the {@code --interval} countdown.
 * Another shell steers it through the deployment's control column (pause, resume, abort), read between
 * steps and every quarter second of a wait.
 *
 * <p>Holds: a step whose gate cannot decide stays applied but HELD; the batch is not called passed and the
 * rollout stops there in state {@code held} (exit 1), for a person to accept ({@code deploy resume}) or
 * undo ({@code rollback --batch}). A running agent with no restart method holds the same way: its new code
 * is not live, so nothing about it can be gated.
 */
public final class RolloutExecutor {

    private final DeploymentJournal journal;
    private final Function<AgentId, Agent> agents;
    private final StepProver prover;
    private final List<Gate> gates;
    private final AgentRuntime runtime;
    private final String host;
    private final Restorer restorer;
    private Function<AgentId, Host> hosts = Restorer.LOCAL;
    private Function<AgentId, java.nio.file.Path> roots;
    private final Analysis analysis;
    private final Function<java.nio.file.Path, List<Agent>> sharing;

    public RolloutExecutor(DeploymentJournal journal, Function<AgentId, Agent> agents, StepProver prover, List<Gate> gates,
                           AgentRuntime runtime, String host) {
        this(journal, agents, prover, gates, null, runtime, host);
    }

    public RolloutExecutor(DeploymentJournal journal, Function<AgentId, Agent> agents, StepProver prover, List<Gate> gates,
                           Analysis analysis, AgentRuntime runtime, String host) {
        this(journal, agents, file -> List.of(), prover, gates, analysis, runtime, host);
    }

    /**
     * @param gates    checked right after each restart (the health gate), before the analysis
     * @param analysis the analysis run that measures both sides of each running agent's change and decides; null: the
     *                 gates alone decide on whatever samples exist (and hold when they are thin)
     * @param sharing  the agents whose script is a file (one file, one step: a script listed on two machines is changed
     *                 once, and every running agent of it is restarted, gated and analysed with the step)
     */
    public RolloutExecutor(DeploymentJournal journal, Function<AgentId, Agent> agents, Function<java.nio.file.Path, List<Agent>> sharing,
                           StepProver prover, List<Gate> gates, Analysis analysis, AgentRuntime runtime, String host) {
        this.analysis = analysis;
        this.sharing = sharing;
        this.journal = journal;
        this.agents = agents;
        this.prover = prover;
        this.gates = List.copyOf(gates);
        this.runtime = runtime;
        this.host = host;
        this.restorer = new Restorer(journal, id -> this.hosts.apply(id));
    }

    /**
     * The machine each agent is on, where its step's files are read, backed up and written (a remote one over ssh); by
     * default every file is on this computer. Returns this executor.
     */
    public RolloutExecutor onHosts(Function<AgentId, Host> hosts) {
        this.hosts = java.util.Objects.requireNonNull(hosts);
        return this;
    }

    /**
     * {@link #onHosts(Function)}, with each machine's fleet root: a recorded step's files must resolve inside it on
     * their host ({@link PlannedRealPaths}). Returns this executor.
     */
    public RolloutExecutor onHosts(Function<AgentId, Host> hosts, Function<AgentId, java.nio.file.Path> roots) {
        this.roots = java.util.Objects.requireNonNull(roots);
        return onHosts(hosts);
    }

    /**
     * Stores the plan and takes the fleet lock; nothing is written to the fleet yet. Returns the deployment id. The real
     * path of each file is taken from its machine as the plan is stored ({@link PlannedRealPaths}): every write compares
     * with it there.
     */
    public long persist(Plan plan) {
        if (plan.steps().isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "the plan has no step: nothing to deploy");
        }
        return journal.create(PlannedRealPaths.resolve(plan, hosts, roots), plan.options().toMap(), LockHolder.self(null, "deploy", host));
    }

    /** {@link #persist} then {@link #execute}: the one call a single-agent deployment ({@code optimize}) needs. */
    public DeploymentResult run(Plan plan, RolloutListener listener) {
        return execute(persist(plan), listener);
    }

    /** {@link #persist} then {@link #execute(long, BatchPolicy, RolloutListener)}: a playbook's rollout, sized by its policy. */
    public DeploymentResult run(Plan plan, BatchPolicy policy, RolloutListener listener) {
        return execute(persist(plan), policy, listener);
    }

    /**
     * {@code deploy resume N --extend 2m}: the held steps' analyses measure their agents for {@code extra} more and decide
     * again; a step that passes is applied, one that fails is rolled back, one still inconclusive stays held. With no held
     * step left the deployment goes on with its remaining batches; otherwise it stays held, saying what is still missing.
     */
    public DeploymentResult resume(long deploymentId, Duration extra, RolloutListener listener) {
        if (extra == null) {
            return resume(deploymentId, listener);
        }
        Deployment deployment = journal.deployment(deploymentId).orElseThrow(() -> unknown(deploymentId));
        if (deployment.state() != DeploymentState.HELD || analysis == null) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "deployment %d is %s; --extend measures the held steps of a held deployment"
                    .formatted(deploymentId, deployment.state().words()));
        }
        journal.reopen(deploymentId, LockHolder.self(deploymentId, "deploy", host));
        try {
            List<StoredStep> held = journal.steps(deploymentId).stream().filter(s -> s.state() == StepState.HELD).toList();
            List<DeploymentJournal.Recorded> recorded = journal.decisions(deploymentId);
            List<String> still = new ArrayList<>();
            for (StoredStep step : held) {
                Agent agent = agentOf(step);
                Map<String, Object> last = recorded.stream().filter(r -> Long.valueOf(step.id()).equals(r.stepId())
                        && r.decision().name().equals("analysis")).map(r -> r.decision().evidence()).reduce((a, b) -> b).orElse(null);
                if (agent == null || last == null || !(last.get("baseline") instanceof Map<?, ?> base)
                        || !(last.get("current") instanceof Map<?, ?> current)) {
                    still.add(step.label() + " " + step.agent() + ": no analysis to extend (deploy resume %d accepts it)".formatted(deploymentId));
                    continue;
                }
                listener.message("analysis: measuring %s %s more".formatted(agent.id(), extra.toSeconds() + " s"));
                Analysis.Baseline.Ready baseline = new Analysis.Baseline.Ready(Instant.parse(String.valueOf(base.get("from"))),
                        Instant.parse(String.valueOf(base.get("to"))), String.valueOf(base.get("source")), Map.of());
                Analysis.Result result = analysis.extend(agent, baseline, Instant.parse(String.valueOf(current.get("from"))), extra);
                StepResult outcome = conclude(new Restarted(step, agent, new Proof(List.of()), List.of(new Measured(agent,
                        Instant.parse(String.valueOf(current.get("from"))), baseline))), List.of(result));
                listener.stepFinished(step, outcome.state(), outcome.detail(), 0, 0);
                if (outcome.state() == StepState.HELD) {
                    still.add(step.label() + " " + step.agent() + ": " + result.summary());
                }
            }
            int batch = held.isEmpty() ? 1 : held.getFirst().batch();
            if (!still.isEmpty()) {
                return finish(deploymentId, DeploymentState.HELD, ("still held after --extend: %s. deploy resume %d accepts them, deploy "
                        + "resume %d --extend 5m measures longer, rollback --batch %d.%d undoes the batch").formatted(String.join("; ", still),
                        deploymentId, deploymentId, deploymentId, batch));
            }
            List<StoredStep> failed = journal.steps(deploymentId).stream().filter(s -> held.stream().anyMatch(h -> h.id() == s.id())
                    && s.state().failed()).toList();
            if (!failed.isEmpty()) {
                return finish(deploymentId, DeploymentState.STOPPED, ("stopped at batch %d: the extended analysis failed %s and rolled it "
                        + "back; deploy resume %d goes on with the remaining batches, rollback --batch %d.%d undoes the batch").formatted(batch,
                        String.join(", ", failed.stream().map(f -> f.label() + " " + f.agent()).toList()), deploymentId, deploymentId, batch));
            }
            journal.batchStates(deploymentId).forEach((b, state) -> {
                if (state == BatchState.HELD) {
                    journal.batchState(deploymentId, b, BatchState.PASSED);
                }
            });
        } catch (RuntimeException e) {
            journal.unlock();
            throw e;
        }
        return execute(deploymentId, listener);
    }

    /** Accepts a held deployment's held steps (a person looked at them) and goes on with its remaining batches. */
    public DeploymentResult resume(long deploymentId, RolloutListener listener) {
        Deployment deployment = journal.deployment(deploymentId).orElseThrow(() -> unknown(deploymentId));
        if (!Set.of(DeploymentState.HELD, DeploymentState.STOPPED).contains(deployment.state())) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "deployment %d is %s; deploy resume continues a held or stopped one"
                    .formatted(deploymentId, deployment.state().words()));
        }
        journal.reopen(deploymentId, LockHolder.self(deploymentId, "deploy", host));
        List<StoredStep> held = journal.steps(deploymentId).stream().filter(s -> s.state() == StepState.HELD).toList();
        if (!held.isEmpty()) {
            journal.record(held, DeploymentJournal.NOTE, "accepted", StepState.APPLIED, "held step accepted by deploy resume");
        }
        journal.batchStates(deploymentId).forEach((batch, state) -> {
            if (state == BatchState.HELD) {
                journal.batchState(deploymentId, batch, BatchState.PASSED);
            }
        });
        return execute(deploymentId, listener);
    }

    /** Executes the stored deployment's pending steps in the batches of the spec it was stored with. */
    public DeploymentResult execute(long deploymentId, RolloutListener listener) {
        Deployment deployment = journal.deployment(deploymentId).orElseThrow(() -> unknown(deploymentId));
        return execute(deploymentId, BatchPolicy.planned(RolloutOptions.fromMap(deployment.options())), listener);
    }

    /**
     * Executes the stored deployment's pending steps, the policy sizing each batch as it starts and deciding after
     * each passed batch whether to go on. The caller holds the fleet lock (persist or resume took it).
     *
     * <p>Batches are numbered as they start: the steps no batch has taken yet wait, in plan order, in the last
     * stored batch, and {@link DeploymentJournal#cut} ends it after the policy's size. Every step is stored before
     * the first write, with its rewrite and proof hints, so recovery and {@code deploy resume} need nothing but the
     * journal; a resumed rollout goes on with the stored spec, since the policy that sized it lived in its caller.
     */
    public DeploymentResult execute(long deploymentId, BatchPolicy policy, RolloutListener listener) {
        Deployment deployment = journal.deployment(deploymentId).orElseThrow(() -> unknown(deploymentId));
        RolloutOptions options = RolloutOptions.fromMap(deployment.options());
        List<StoredStep> all = journal.steps(deploymentId);
        int total = all.size();
        int[] done = {(int) all.stream().filter(s -> s.state() != StepState.PENDING).count()};
        List<BatchOutcome> history = new ArrayList<>();
        try {
            for (int batch = 1; batch <= batches(deploymentId); batch++) {
                int number = batch;
                List<StoredStep> pending = journal.steps(deploymentId).stream()
                        .filter(s -> s.batch() == number && s.state() == StepState.PENDING).toList();
                if (pending.isEmpty()) {
                    continue;
                }
                if (awaitControl(deploymentId, listener)) {
                    return abort(deploymentId, "aborted by deploy abort before batch " + batch);
                }
                pending = cut(deploymentId, batch, pending, policy, history, total - done[0]);
                int batches = batches(deploymentId);
                journal.batchState(deploymentId, batch, BatchState.RUNNING);
                journal.note(deploymentId, batch, "batch started", pending.size() + " steps");
                listener.batchStarted(batch, batches, pending);
                Map<AgentId, Analysis.Baseline> baselines = baselines(pending, listener);
                List<Restarted> analysed = new ArrayList<>();
                for (StoredStep step : pending) {
                    if (awaitControl(deploymentId, listener)) {
                        return abort(deploymentId, "aborted by deploy abort during batch " + batch);
                    }
                    StepOutcome outcome = safely(step, () -> runStep(step, baselines));
                    if (outcome instanceof Restarted restarted) {
                        analysed.add(restarted);
                    } else {
                        StepResult result = (StepResult) outcome;
                        listener.stepFinished(step, result.state(), result.detail(), ++done[0], total);
                    }
                }
                for (Map.Entry<Restarted, List<Analysis.Result>> judged : judge(analysed, listener).entrySet()) {
                    StoredStep step = judged.getKey().step();
                    StepResult result = (StepResult) safely(step, () -> conclude(judged.getKey(), judged.getValue()));
                    listener.stepFinished(step, result.state(), result.detail(), ++done[0], total);
                }
                List<StoredStep> outcome = journal.steps(deploymentId).stream().filter(s -> s.batch() == number).toList();
                Decision gate = batchGate(outcome, options);
                journal.decision(deploymentId, batch, null, gate);
                if (gate.verdict() == Decision.Verdict.FAIL) {
                    journal.batchState(deploymentId, batch, BatchState.FAILED);
                    BatchOutcome failed = new BatchOutcome(deploymentId, batch, BatchState.FAILED, gate, outcome);
                    history.add(failed);
                    listener.batchFinished(failed);
                    DeploymentResult stopped = onFail(deploymentId, batch, options, gate, listener);
                    if (stopped != null) {
                        return stopped;
                    }
                    continue;
                }
                long held = outcome.stream().filter(s -> s.state() == StepState.HELD).count();
                if (held > 0) {
                    journal.batchState(deploymentId, batch, BatchState.HELD);
                    listener.batchFinished(new BatchOutcome(deploymentId, batch, BatchState.HELD, gate, outcome));
                    String missing = String.join("; ", outcome.stream().filter(s -> s.state() == StepState.HELD)
                            .map(s -> s.agent() + ": " + s.detail()).toList());
                    return finish(deploymentId, DeploymentState.HELD, ("batch %d held: %d step%s could not be gated and stay applied (%s). "
                            + "deploy resume %d accepts them and goes on; deploy resume %d --extend 2m measures longer and decides "
                            + "again; rollback --batch %d.%d undoes the batch")
                            .formatted(batch, held, held == 1 ? "" : "s", missing, deploymentId, deploymentId, deploymentId, batch));
                }
                journal.batchState(deploymentId, batch, BatchState.PASSED);
                BatchOutcome passed = new BatchOutcome(deploymentId, batch, BatchState.PASSED, gate, outcome);
                history.add(passed);
                listener.batchFinished(passed);
                int left = total - done[0];
                if (left > 0 && !ask(deploymentId, batch + 1, () -> policy.shouldContinue(passed))) {
                    return finish(deploymentId, DeploymentState.STOPPED, ("stopped after batch %d by the rollout's policy "
                            + "(shouldContinue): %d step%s not started; deploy resume %d deploys them").formatted(batch, left,
                            left == 1 ? "" : "s", deploymentId));
                }
                if (batch < batches && wait(deploymentId, options.interval(), batch + 1, listener)) {
                    return abort(deploymentId, "aborted by deploy abort while waiting before batch " + (batch + 1));
                }
            }
            int batches = batches(deploymentId);
            List<StoredStep> steps = journal.steps(deploymentId);
            long applied = steps.stream().filter(s -> s.state() == StepState.APPLIED).count();
            return finish(deploymentId, DeploymentState.COMPLETED, "%d of %d steps applied in %d batch%s".formatted(applied, total,
                    batches, batches == 1 ? "" : "es"));
        } catch (RuntimeException e) {
            // The process is alive but cannot go on (history database gone, disk full, interrupted...): every step
            // failure was settled where it happened, so what is left in flight stays as journaled for deploy recover;
            // the lock is released for it. The message never repeats a deeper "nothing was changed": steps may be applied.
            if (settled(deploymentId)) {
                throw e; // settled before it was thrown (a failed batch policy stops the deployment itself)
            }
            String why = unverified(String.valueOf(e.getMessage()));
            try {
                journal.note(deploymentId, null, "stopped by an error", why);
                journal.unlock();
            } catch (RuntimeException unrecorded) {
                e.addSuppressed(unrecorded);
            }
            ErrorCode code = e instanceof FleetshellException f ? f.code() : ErrorCode.OPERATION_FAILED;
            throw new FleetshellException(code, ("deployment %d stopped by an error: %s. The steps finished so far stay as recorded; "
                    + "deploy status %d shows them, deploy recover settles any step caught mid-way, rollback --deployment %d undoes "
                    + "them").formatted(deploymentId, why, deploymentId, deploymentId), e);
        }
    }

    /**
     * A deeper message without its "nothing was changed": said where that failure happened, it is not verified for the
     * rollout around it, which may have written files (issue 16).
     */
    static String unverified(String message) {
        return message.replaceAll("(?i)[.;]?\\s*nothing was (changed|restored)\\.?", "").strip();
    }

    /** Whether the deployment was already finished (a failed batch policy stops it itself); false when that cannot be read. */
    private boolean settled(long deploymentId) {
        try {
            return journal.deployment(deploymentId).map(d -> !d.running()).orElse(false);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private int batches(long deploymentId) {
        return journal.steps(deploymentId).stream().mapToInt(StoredStep::batch).max().orElse(0);
    }

    /**
     * Asks the policy the size of a batch about to start. Only the last batch, not yet started, holds steps no batch
     * has taken: that one is cut to the policy's size; a batch cut before (by the plan's spec, or before a resume)
     * stays as it was stored.
     */
    private List<StoredStep> cut(long deploymentId, int batch, List<StoredStep> pending, BatchPolicy policy, List<BatchOutcome> history,
                                 int left) {
        if (journal.batchStates(deploymentId).get(batch) != BatchState.PENDING) {
            return pending;
        }
        BatchPolicy.Progress progress = new BatchPolicy.Progress(batch - 1, journal.steps(deploymentId).size(), left, history);
        int size = ask(deploymentId, batch, () -> policy.nextBatchSize(progress));
        if (size < 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "a batch policy asked for a batch of %d steps; a batch takes 1 or more"
                    .formatted(size));
        }
        if (size >= pending.size() || batch != batches(deploymentId)) {
            return pending;
        }
        journal.cut(deploymentId, batch, size);
        return pending.subList(0, size);
    }

    /**
     * Calls the policy between batches. A policy that fails (a playbook function that throws) stops the deployment
     * there, settled: nothing is in flight between batches, so {@code deploy resume} can go on with the stored spec.
     */
    private <T> T ask(long deploymentId, int nextBatch, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            journal.finish(deploymentId, DeploymentState.STOPPED, ("stopped before batch %d: the rollout's policy failed: %s; "
                    + "deploy resume %d goes on with the stored batch size").formatted(nextBatch, e.getMessage(), deploymentId));
            throw e;
        }
    }

    /** Where a step stands after {@link #runStep}: finished, or restarted and waiting for the batch's analysis. */
    private sealed interface StepOutcome permits StepResult, Restarted {
    }

    /** The outcome of one step for the progress line. */
    private record StepResult(StepState state, String detail) implements StepOutcome {
    }

    /** Written, proved, restarted and healthy: the batch's analysis decides next, for each agent running the file. */
    private record Restarted(StoredStep step, Agent agent, Proof proof, List<Measured> agents) implements StepOutcome {
    }

    /** One agent of a restarted step: when the rollout restarted it and its baseline. */
    private record Measured(Agent agent, Instant restartedAt, Analysis.Baseline.Ready baseline) {
    }

    /**
     * The other agents restarted and gated with the step, those that ran before the change: for an agent's step the
     * other agents of its file (one file, one step), for a module step every dependent that imports the module.
     */
    private List<Agent> coAgents(StoredStep step, Agent agent) {
        return otherAgents(step, agent).stream().filter(runtime::running).toList();
    }

    /** The other agents of the step, running or not: a module step's dependents, or the other agents of its file. */
    private List<Agent> otherAgents(StoredStep step, Agent agent) {
        if (step.module() != null) {
            return step.dependents().stream().map(agents).filter(java.util.Objects::nonNull).toList();
        }
        java.nio.file.Path file = step.file().toAbsolutePath().normalize();
        return sharing.apply(file).stream().filter(a -> agent == null || !a.id().equals(agent.id())).toList();
    }

    /** The agent whose file the step changes; null for a module step (its dependents are restarted instead) or an agent gone. */
    private Agent agentOf(StoredStep step) {
        return step.module() != null ? null : agents.apply(step.agent());
    }

    /** The agents a restore of the step puts back on their original: the step's agent, or a module step's dependents. */
    private List<Agent> agentsOf(StoredStep step) {
        if (step.module() != null) {
            return step.dependents().stream().map(agents).filter(java.util.Objects::nonNull).toList();
        }
        return java.util.stream.Stream.ofNullable(agents.apply(step.agent())).toList();
    }

    /**
     * Runs a part of a step so that any failure inside it is that step's failure (issue 16): whatever threw, the step
     * is restored if its rewrite reached the disk, recorded, and the rollout goes on per {@code --on-fail}; never an
     * abort that skips the bookkeeping. Only a journal that cannot record at all ends the rollout (the caller's catch).
     */
    private StepOutcome safely(StoredStep step, java.util.function.Supplier<StepOutcome> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            String why = "the step failed: " + unverified(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            journal.decision(step.deploymentId(), step.batch(), step.id(), new Decision(Decision.PROOF, "step", Decision.Verdict.FAILED,
                    "any failure inside a step fails that step", why, Map.of("exception", e.getClass().getName()), Instant.now()));
            Agent agent = agentOf(step);
            return rollBack(step, agent, step.module() != null ? !coAgents(step, null).isEmpty() : agent != null && runtime.running(agent), why);
        }
    }

    /**
     * Before the batch's first write: the baseline of every running agent it changes, measured from the original where
     * none is usable, all agents at once (each on its own thread; the samples are theirs alone). An agent the runtime
     * cannot restart (running outside fleetshell, no restart_command) gets none: measuring would restart it, and its
     * step is held by the restart gate instead.
     */
    private Map<AgentId, Analysis.Baseline> baselines(List<StoredStep> pending, RolloutListener listener) {
        Map<AgentId, Analysis.Baseline> out = new LinkedHashMap<>();
        if (analysis == null) {
            return out;
        }
        Map<AgentId, Agent> running = new LinkedHashMap<>();
        for (StoredStep step : pending) {
            Agent agent = agentOf(step);
            if (agent != null && runtime.restartable(agent)) {
                running.putIfAbsent(agent.id(), agent);
            }
            otherAgents(step, agent).stream().filter(runtime::restartable).forEach(a -> running.putIfAbsent(a.id(), a));
        }
        if (running.isEmpty()) {
            return out;
        }
        listener.message("analysis: baseline of %s (measured from the original where none is usable)".formatted(
                String.join(", ", running.keySet().stream().map(AgentId::toString).toList())));
        return inParallel(running.keySet(), id -> analysis.baseline(running.get(id)),
                (id, e) -> new Analysis.Baseline.Unusable("measuring the baseline of %s failed: %s".formatted(id, e.getMessage()), Map.of()));
    }

    /**
     * After the batch's restarts: every restarted agent's analysis, all at once; the results of each step in its agents'
     * order. An agent two steps of the batch restarted (a shared module's dependent whose own file is another step) is
     * measured once, from its last restart, and that result judges both steps: two measurements at once would restart
     * the same agent on the same ports against each other.
     */
    private Map<Restarted, List<Analysis.Result>> judge(List<Restarted> restarted, RolloutListener listener) {
        if (restarted.isEmpty()) {
            return Map.of();
        }
        List<Map.Entry<Restarted, Measured>> pairs = new ArrayList<>();
        restarted.forEach(r -> r.agents().forEach(m -> pairs.add(Map.entry(r, m))));
        Map<AgentId, Measured> latest = new LinkedHashMap<>();
        pairs.forEach(p -> latest.merge(p.getValue().agent().id(), p.getValue(),
                (a, b) -> b.restartedAt().isAfter(a.restartedAt()) ? b : a));
        listener.message("analysis: measuring %s after the change".formatted(String.join(", ",
                latest.keySet().stream().map(AgentId::toString).toList())));
        Map<AgentId, Analysis.Result> results = inParallel(latest.keySet(),
                id -> analysis.judge(latest.get(id).agent(), latest.get(id).baseline(), latest.get(id).restartedAt()),
                (id, e) -> new Analysis.Result(Analysis.Outcome.FAIL, Analysis.OnInconclusive.HOLD, List.of(), Map.of(),
                        "the analysis of %s failed: %s".formatted(id, e.getMessage()), Map.of()));
        Map<Restarted, List<Analysis.Result>> out = new LinkedHashMap<>();
        pairs.forEach(p -> out.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(results.get(p.getValue().agent().id())));
        return out;
    }

    private static <K, V> Map<K, V> inParallel(java.util.Collection<K> keys, Function<K, V> work,
                                               java.util.function.BiFunction<K, RuntimeException, V> onError) {
        Map<K, java.util.concurrent.Future<V>> futures = new LinkedHashMap<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (K key : keys) {
                futures.put(key, pool.submit(() -> {
                    try {
                        return work.apply(key);
                    } catch (RuntimeException e) {
                        return onError.apply(key, e);
                    }
                }));
            }
            Map<K, V> out = new LinkedHashMap<>();
            for (Map.Entry<K, java.util.concurrent.Future<V>> f : futures.entrySet()) {
                try {
                    out.put(f.getKey(), f.getValue().get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    // Ctrl-C: the measurements stop at once (their sleeps are interrupted); every sample so far is stored.
                    pool.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted during the analysis; the steps under way stay "
                            + "written: deploy recover settles them");
                }
            }
            return out;
        }
    }

    /**
     * Records the analyses' decisions and acts on the step's outcome: accept, roll back, or hold per the agent's
     * policy. A step run by several agents (one file on two machines) fails when any of them fails, is inconclusive
     * when any is, and then takes the strictest of their policies.
     */
    private StepResult conclude(Restarted r, List<Analysis.Result> results) {
        StoredStep step = r.step();
        for (int i = 0; i < results.size(); i++) {
            Analysis.Result one = results.get(i);
            Measured measured = r.agents().get(i);
            String suffix = i == 0 && r.agent() != null ? "" : " of " + measured.agent().id();
            for (GateDecision d : one.decisions()) {
                journal.decision(step.deploymentId(), step.batch(), step.id(), Decision.of(new GateDecision(d.gate() + suffix, d.verdict(),
                        d.rule(), d.summary(), d.evidence())));
            }
            one.skipped().forEach((gate, why) -> journal.decision(step.deploymentId(), step.batch(), step.id(),
                    new Decision(Decision.GATE, gate + suffix, Decision.Verdict.SKIPPED, "nothing to measure on this agent", why, Map.of(),
                            Instant.now())));
        }
        Analysis.Result result = combined(r, results);
        Decision.Verdict verdict = switch (result.outcome()) {
            case PASS -> Decision.Verdict.PASS;
            case FAIL -> Decision.Verdict.FAIL;
            case INCONCLUSIVE -> Decision.Verdict.HOLD;
        };
        Map<String, Object> evidence = new LinkedHashMap<>(result.evidence());
        evidence.put("baseline_source", r.agents().getFirst().baseline().source());
        evidence.put("baseline_measurement", r.agents().getFirst().baseline().evidence());
        evidence.put("on_inconclusive", result.onInconclusive().name().toLowerCase());
        journal.decision(step.deploymentId(), step.batch(), step.id(), new Decision(Decision.GATE, "analysis", verdict,
                "fail when more gates fail than failure_limit; inconclusive when a gate holds; else pass", result.summary(), evidence,
                Instant.now()));
        switch (result.outcome()) {
            case FAIL -> {
                return rollBack(step, r.agent(), true, result.summary());
            }
            case INCONCLUSIVE -> {
                switch (result.onInconclusive()) {
                    case ROLLBACK -> {
                        return rollBack(step, r.agent(), true, result.summary() + " (inconclusive: rollback)");
                    }
                    case PROCEED -> {
                        journal.record(step, DeploymentJournal.OUTCOME, "applied", StepState.APPLIED, result.summary()
                                + " (inconclusive: proceed)");
                        return new StepResult(StepState.APPLIED, "proved, restarted; " + result.summary() + "; accepted (inconclusive: proceed)");
                    }
                    case HOLD -> {
                        journal.record(step, DeploymentJournal.OUTCOME, "held", StepState.HELD, result.summary());
                        return new StepResult(StepState.HELD, "proved and restarted, but held: " + result.summary());
                    }
                }
            }
            case PASS -> {
            }
        }
        journal.record(step, DeploymentJournal.OUTCOME, "applied", StepState.APPLIED, "proved, restarted and analysed: " + result.summary());
        return new StepResult(StepState.APPLIED, "proved (" + checks(r.proof()) + "), restarted, " + result.summary());
    }

    /** The outcome of a step's analyses: its one agent's, or for a shared file the worst of its agents'. */
    private static Analysis.Result combined(Restarted r, List<Analysis.Result> results) {
        if (results.size() == 1) {
            return results.getFirst();
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            parts.add(r.agents().get(i).agent().id() + ": " + results.get(i).summary());
        }
        Analysis.Outcome outcome = results.stream().map(Analysis.Result::outcome).anyMatch(o -> o == Analysis.Outcome.FAIL) ? Analysis.Outcome.FAIL
                : results.stream().anyMatch(x -> x.outcome() == Analysis.Outcome.INCONCLUSIVE) ? Analysis.Outcome.INCONCLUSIVE : Analysis.Outcome.PASS;
        Analysis.OnInconclusive policy = results.stream().map(Analysis.Result::onInconclusive)
                .max(java.util.Comparator.comparingInt(p -> switch (p) {
                    case PROCEED -> 0;
                    case HOLD -> 1;
                    case ROLLBACK -> 2;
                })).orElse(Analysis.OnInconclusive.HOLD);
        Map<String, Object> evidence = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++) {
            evidence.put(r.agents().get(i).agent().id().toString(), results.get(i).evidence());
        }
        return new Analysis.Result(outcome, policy, List.of(), Map.of(), String.join("; ", parts), evidence);
    }

    private StepOutcome runStep(StoredStep step, Map<AgentId, Analysis.Baseline> baselines) {
        Agent agent = agentOf(step);
        List<StepFile> files = step.files();
        List<String> shas = new ArrayList<>();
        files.forEach(f -> {
            if (!f.creates()) {
                shas.add(f.beforeSha256());
            }
            shas.add(f.afterSha256());
        });
        Map<String, byte[]> content = journal.blobs(shas);
        // Every file of the step is checked before the first is written: one that escapes, is no regular file or
        // drifted leaves the whole step untouched.
        List<byte[]> onDisk = new ArrayList<>();
        Host host = hosts.apply(step.agent());
        for (StepFile file : files) {
            try {
                onDisk.add(AtomicFiles.readIfExists(host, file.file(), file.realPath()));
            } catch (FleetshellException e) {
                return refuseFile(step, file, e.getMessage());
            }
        }
        for (int i = 0; i < files.size(); i++) {
            String sha = onDisk.get(i) == null ? null : Checksums.sha256(onDisk.get(i));
            if (!files.get(i).isOriginal(sha)) {
                StepFile file = files.get(i);
                return drifted(step, file, file.creates() ? new byte[0] : content.get(file.beforeSha256()), onDisk.get(i), sha);
            }
        }
        boolean wasRunning = agent != null && runtime.running(agent);
        List<Agent> others = coAgents(step, agent);
        Analysis.Baseline baseline = agent == null ? null : baselines.get(agent.id());
        Analysis.Baseline.Unusable unusableBaseline = java.util.stream.Stream.concat(java.util.stream.Stream.ofNullable(agent), others.stream())
                .map(a -> baselines.get(a.id())).filter(b -> b instanceof Analysis.Baseline.Unusable)
                .map(b -> (Analysis.Baseline.Unusable) b).findFirst().orElse(null);
        if (unusableBaseline != null) {
            Analysis.Baseline.Unusable unusable = unusableBaseline;
            journal.decision(step.deploymentId(), step.batch(), step.id(), new Decision(Decision.GATE, "analysis baseline",
                    Decision.Verdict.FAIL, "the original must become healthy on every start of its baseline measurement", unusable.reason(),
                    unusable.evidence(), Instant.now()));
            return failBeforeWrite(step, unusable.reason());
        }
        if (step.module() != null) {
            journal.note(step.deploymentId(), step.batch(), "dependents", others.isEmpty()
                    ? "no agent that imports %s is running: none is restarted, the proof decides".formatted(step.module())
                    : "%s is imported by %s (running): restarted and gated together".formatted(step.module(),
                    String.join(", ", others.stream().map(a -> a.id().toString()).toList())));
        } else if (!others.isEmpty()) {
            journal.note(step.deploymentId(), step.batch(), "one file, one step", "%s is also the script of %s: restarted and gated with %s"
                    .formatted(step.file(), String.join(", ", others.stream().map(a -> a.id().toString()).toList()), step.agent()));
        }
        List<DeploymentJournal.FileMeta> metas = new ArrayList<>();
        for (StepFile file : files) {
            try {
                metas.add(file.creates() ? null : AtomicFiles.stat(host, file.file()));
            } catch (IOException e) {
                return failBeforeWrite(step, "cannot read " + file.file() + ": " + e.getMessage());
            }
        }
        journal.beginWrite(step, metas);
        boolean renamed = false;
        for (StepFile file : files) {
            if (file.uses()) {
                continue;
            }
            try {
                String notKept = AtomicFiles.write(host, file.file(), file.realPath(), file.tempFile(step.id()), content.get(file.afterSha256()), null);
                if (notKept != null) {
                    journal.record(step, DeploymentJournal.NOTE, "owner differs", null, notKept);
                }
            } catch (FleetshellException e) {
                Restorer.cleanUp(host, step);
                if (!renamed) {
                    // refused before the first rename: every file still holds its original, so the step is settled untouched
                    journal.record(step, DeploymentJournal.OUTCOME, "refused", StepState.ROLLED_BACK, e.getMessage());
                    return new StepResult(StepState.ROLLED_BACK, e.getMessage());
                }
                return rollBack(step, agent, false, "the write of " + file.file() + " was refused: " + e.getMessage());
            } catch (IOException e) {
                Restorer.cleanUp(host, step);
                return rollBack(step, agent, false, "the write of " + file.file() + " failed: " + e.getMessage());
            }
            renamed = true;
        }
        journal.record(step, DeploymentJournal.OUTCOME, "written", StepState.WRITTEN, files.size() == 1
                ? "sha256 " + step.afterSha256().substring(0, 12) + " written over " + step.beforeSha256().substring(0, 12)
                : String.join("; ", files.stream().map(f -> f.file() + ": sha256 " + f.afterSha256().substring(0, 12) + " written over "
                + f.shortBefore()).toList()));
        // What the provers get: the step's own file (the agent's, the module's) first, then the others in write order.
        List<Rewrite> rewrites = new ArrayList<>();
        for (StepFile file : files) {
            boolean own = file.file().equals(step.file());
            Rewrite rewrite = file.creates() ? Rewrite.creating(step.pattern(), file.file(), content.get(file.afterSha256()), List.of())
                    : new Rewrite(step.pattern(), file.file(), content.get(file.beforeSha256()), content.get(file.afterSha256()),
                    own ? step.notes() : List.of());
            rewrites.add(own ? 0 : rewrites.size(), rewrite);
        }
        Proof proof;
        if (step.module() != null) {
            List<Agent> dependents = agentsOf(step);
            if (dependents.size() < step.dependents().size()) {
                return rollBack(step, null, false, "a dependent of %s is no longer in the inventory: the step cannot be proved on it"
                        .formatted(step.module()));
            }
            Progress.update("step", "step %s %s: written, proving on %d dependents".formatted(step.label(), step.module(), dependents.size()));
            proof = prover.proveModule(step.module(), dependents, rewrites, step.hints());
            return proved(step, null, proof, others, baselines, !others.isEmpty());
        }
        if (agent == null) {
            return rollBack(step, null, false, step.agent() + " is no longer in the inventory: it cannot be proved");
        }
        Progress.update("step", "step %s %s: written, proving".formatted(step.label(), step.agent()));
        proof = step.multiFile() ? prover.prove(agent, rewrites, step.hints()) : prover.prove(agent, rewrites.getFirst(), step.hints());
        return proved(step, agent, proof, others, baselines, wasRunning);
    }

    /**
     * A written step after its proof: restored when the proof fails; otherwise every agent it changes that ran before
     * is restarted and gated (an agent's step: its agent and the other agents of its file; a module step: the
     * dependents of the module), and the batch's analysis judges them together.
     *
     * @param agent the step's agent, or null for a module step (whose dependents are all in {@code others})
     */
    private StepOutcome proved(StoredStep step, Agent agent, Proof proof, List<Agent> others, Map<AgentId, Analysis.Baseline> baselines,
                               boolean wasRunning) {
        Analysis.Baseline baseline = agent == null ? null : baselines.get(agent.id());
        proof.checks().forEach(c -> journal.decision(step.deploymentId(), step.batch(), step.id(), Decision.of(c)));
        if (!proof.deployable()) {
            if (noGain(proof)) {
                return skipNoGain(step, agent, proof);
            }
            String why = proof.firstFailure().map(c -> "proof failed: " + c.name() + ": " + c.detail())
                    .orElse("proof failed: no check passed");
            return rollBack(step, agent, false, why);
        }
        if (!wasRunning) {
            journal.decision(step.deploymentId(), step.batch(), step.id(), new Decision(Decision.GATE, "runtime", Decision.Verdict.SKIPPED,
                    "agent not running before the change: no restart, no runtime gate; the proof decided", agent == null
                    ? "no agent that imports " + step.module() + " was running, so each runs the new code from its next start"
                    : agent.name() + " was not running, so it runs the new code from its next start", agent == null ? Map.of("dependents",
                    step.dependents().stream().map(AgentId::toString).toList()) : Map.of("health_probe",
                    runtime.healthTarget(agent).map(ProbeTarget::describe).orElse("none")), Instant.now()));
            journal.record(step, DeploymentJournal.OUTCOME, "applied", StepState.APPLIED, "proved; not running, so not restarted or gated");
            return new StepResult(StepState.APPLIED, "proved (" + checks(proof) + "); not running: not restarted, not gated");
        }
        List<GateDecision> decisions = new ArrayList<>();
        List<Measured> measured = new ArrayList<>();
        if (agent != null) {
            StepOutcome own = restartAndGate(step, agent, baseline, decisions, measured);
            if (own != null) {
                return own;
            }
        }
        String why = step.module() != null ? "imports " + step.module() : "same file";
        for (Agent other : others) {
            journal.record(step, DeploymentJournal.INTENT, "restart " + other.id(), null, null);
            Instant otherAt = Instant.now();
            AgentRuntime.Restart again = runtime.restart(other);
            journal.record(step, DeploymentJournal.OUTCOME, "restart " + other.id(), null, again.ok() ? "restarted: " + again.method()
                    : "restart failed: " + again.method());
            if (!again.ok()) {
                return rollBack(step, agent, true, "restart of %s (%s) failed: %s".formatted(other.id(), why, again.method()));
            }
            for (Gate gate : gates) {
                GateDecision d = gate.evaluate(other, otherAt);
                journal.decision(step.deploymentId(), step.batch(), step.id(), Decision.of(new GateDecision(d.gate() + " of " + other.id(),
                        d.verdict(), d.rule(), d.summary(), d.evidence())));
                decisions.add(d);
                if (d.verdict() == GateDecision.Verdict.FAIL) {
                    return rollBack(step, agent, true, "gate %s of %s (%s) failed: %s".formatted(d.gate(), other.id(), why, d.summary()));
                }
            }
            if (baselines.get(other.id()) instanceof Analysis.Baseline.Ready ready) {
                measured.add(new Measured(other, otherAt, ready));
            }
        }
        // An agent's step is analysed when its agent has a baseline; a module step when every restarted dependent has one.
        boolean analysed = agent != null ? baseline instanceof Analysis.Baseline.Ready : !measured.isEmpty() && measured.size() == others.size();
        if (analysed && decisions.stream().noneMatch(d -> d.verdict() == GateDecision.Verdict.HOLD)) {
            journal.record(step, DeploymentJournal.NOTE, "analysis", null, "restarted and healthy; the batch's analysis measures it");
            return new Restarted(step, agent, proof, measured);
        }
        return gated(step, proof, decisions);
    }

    /**
     * Restarts the step's own agent and checks its gates; null when it is restarted and no gate failed (its decisions and,
     * with a baseline, its measurement added), else the step's outcome.
     */
    private StepOutcome restartAndGate(StoredStep step, Agent agent, Analysis.Baseline baseline, List<GateDecision> decisions,
                                       List<Measured> measured) {
        journal.record(step, DeploymentJournal.INTENT, "restart", null, null);
        Instant restartedAt = Instant.now();
        Progress.update("step", "step %s %s: proved, restarting".formatted(step.label(), step.agent()));
        AgentRuntime.Restart restart = runtime.restart(agent);
        journal.record(step, DeploymentJournal.OUTCOME, "restart", null, restart.known()
                ? (restart.ok() ? "restarted: " : "restart failed: ") + restart.method() : "not restarted: " + restart.method());
        if (!restart.known()) {
            journal.decision(step.deploymentId(), step.batch(), step.id(), new Decision(Decision.GATE, "restart", Decision.Verdict.HOLD,
                    "running agent without a restart method: the new code is not live", restart.method()
                    + ": add restart_command to its config (or let fleetshell supervise it)", restart.evidence(), Instant.now()));
            journal.record(step, DeploymentJournal.OUTCOME, "held", StepState.HELD, "running, but no restart method: " + restart.method());
            return new StepResult(StepState.HELD, "written and proved, but it runs and cannot be restarted: held");
        }
        if (!restart.ok()) {
            journal.decision(step.deploymentId(), step.batch(), step.id(), new Decision(Decision.GATE, "restart", Decision.Verdict.FAIL,
                    "restart command exit status != 0", "restart failed", restart.evidence(), Instant.now()));
            return rollBack(step, agent, true, "restart failed: " + restart.evidence().get("output"));
        }
        Progress.update("step", "step %s %s: restarted, gates %s".formatted(step.label(), step.agent(), gates.stream().map(Gate::name).toList()));
        for (Gate gate : gates) {
            GateDecision decision = gate.evaluate(agent, restartedAt);
            decisions.add(decision);
            journal.decision(step.deploymentId(), step.batch(), step.id(), Decision.of(decision));
            if (decision.verdict() == GateDecision.Verdict.FAIL) {
                return rollBack(step, agent, true, "gate " + decision.gate() + " failed: " + decision.summary());
            }
        }
        if (baseline instanceof Analysis.Baseline.Ready ready) {
            measured.add(new Measured(agent, restartedAt, ready));
        }
        return null;
    }

    /** A restarted step that no analysis judges: its gates decide (applied, or held when one cannot decide). */
    private StepResult gated(StoredStep step, Proof proof, List<GateDecision> decisions) {
        if (gates.isEmpty()) {
            GateDecision none = GateDecision.cannotEvaluate("gates", "no gate is configured for a running agent: nothing decided "
                    + "that the restarted agent is as good as before");
            decisions.add(none);
            journal.decision(step.deploymentId(), step.batch(), step.id(), Decision.of(none));
        }
        List<GateDecision> holds = decisions.stream().filter(d -> d.verdict() == GateDecision.Verdict.HOLD).toList();
        if (!holds.isEmpty()) {
            String why = String.join("; ", holds.stream().map(GateDecision::line).toList());
            journal.record(step, DeploymentJournal.OUTCOME, "held", StepState.HELD, why);
            return new StepResult(StepState.HELD, "proved and restarted, but held: " + why);
        }
        journal.record(step, DeploymentJournal.OUTCOME, "applied", StepState.APPLIED, "proved, restarted and gated");
        return new StepResult(StepState.APPLIED, "proved (" + checks(proof) + "), restarted, gates passed ("
                + String.join(", ", decisions.stream().map(GateDecision::gate).toList()) + ")");
    }

    /**
     * The proof checks that measure the gain (load time, start-up) rather than correctness: a rewrite that fails only
     * these is correct but not worth deploying.
     */
    static final Set<String> GAIN_CHECKS = Set.of("load time", "start-up");

    /** Whether the proof refused the rewrite only because it found no gain: every correctness check passed. */
    static boolean noGain(Proof proof) {
        List<ProofCheck> failed = proof.checks().stream().filter(ProofCheck::failed).toList();
        return !failed.isEmpty() && failed.stream().allMatch(c -> GAIN_CHECKS.contains(c.name().replaceFirst(" of .*$", "")));
    }

    /** A correct rewrite with no gain: the original goes back and the step is skipped with its reason, not failed. */
    private StepResult skipNoGain(StoredStep step, Agent agent, Proof proof) {
        String why = "no gain: " + String.join("; ", proof.checks().stream().filter(ProofCheck::failed)
                .map(c -> c.name() + ": " + c.detail()).toList());
        StepResult restored = rollBack(step, agent, false, why);
        if (restored.state() != StepState.ROLLED_BACK) {
            return restored;
        }
        journal.record(step, DeploymentJournal.OUTCOME, "skipped", StepState.SKIPPED, why + "; the original is back, not deployed");
        return new StepResult(StepState.SKIPPED, "skipped (" + why + "); the original is back, byte-exact; not counted as a failure");
    }

    private StepResult drifted(StoredStep step, StepFile file, byte[] before, byte[] onDisk, String sha) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        if (step.multiFile()) {
            evidence.put("file", file.file().toString());
        }
        evidence.put("expected_sha256", file.beforeSha256());
        evidence.put("actual_sha256", sha);
        if (onDisk != null) {
            evidence.put("diff", new Rewrite("drift", file.file(), before, onDisk, List.of()).unifiedDiff());
            journal.storeBlob(onDisk);
        }
        String why = onDisk == null ? file.file() + " no longer exists"
                : file.creates() ? file.file() + " exists now, but was absent when the plan was resolved and the step creates it (sha256 "
                + sha.substring(0, 12) + ")"
                : file.file() + " changed on disk since the plan was resolved (sha256 " + sha.substring(0, 12) + ", planned on "
                + file.beforeSha256().substring(0, 12) + ")";
        if (step.multiFile()) {
            why += "; none of the step's " + step.files().size() + " files was touched";
        }
        journal.decision(step.deploymentId(), step.batch(), step.id(), new Decision(Decision.PROOF, "unchanged since plan", Decision.Verdict.FAILED,
                step.multiFile() ? "every file's sha256 on disk == the one the plan was resolved from (absent for a file the step creates)"
                        : "sha256 on disk == sha256 the plan was resolved from", why, evidence, Instant.now()));
        journal.record(step, DeploymentJournal.OUTCOME, "drifted", StepState.DRIFTED, why + "; not touched");
        return new StepResult(StepState.DRIFTED, why + "; not touched (explain " + step.label() + " shows the diff)");
    }

    /** A file of the step no longer resolves where the plan saw it, or is not a regular file: nothing is read or written. */
    private StepResult refuseFile(StoredStep step, StepFile file, String why) {
        journal.decision(step.deploymentId(), step.batch(), step.id(), new Decision(Decision.PROOF, "inside the fleet root",
                Decision.Verdict.FAILED, "the file resolves to the real path planned (" + file.realPath() + ") and is a regular file",
                why, Map.of("file", file.file().toString(), "planned_real_path", file.realPath().toString()), Instant.now()));
        return failBeforeWrite(step, why);
    }

    private StepResult failBeforeWrite(StoredStep step, String why) {
        journal.record(step, DeploymentJournal.OUTCOME, "failed", StepState.ROLLED_BACK, why + "; not touched");
        return new StepResult(StepState.ROLLED_BACK, why);
    }

    /** Automatic rollback of one step: restore byte-exact, restart if it had been restarted, re-check health. */
    private StepResult rollBack(StoredStep step, Agent agent, boolean restarted, String why) {
        List<Restorer.Outcome> outcomes = restorer.restore(List.of(step), why, false, StepState.CONFLICT);
        Restorer.Outcome outcome = outcomes.getFirst();
        if (!(outcome instanceof Restorer.Restored restored)) {
            return new StepResult(StepState.CONFLICT, why + "; and the original could not be restored: "
                    + (outcome instanceof Restorer.Refused r ? r.reason() : ((Restorer.Failed) outcome).reason()));
        }
        String after = "";
        if (restarted && (agent != null || step.module() != null)) {
            after = agent == null ? "" : "; " + restartAfterRestore(step, agent);
            for (Agent other : coAgents(step, agent)) {
                after += "; " + other.id() + " " + restartAfterRestore(step, other);
            }
        }
        return new StepResult(StepState.ROLLED_BACK, why + "; rolled back (sha256 " + restored.sha256().substring(0, 12)
                + " verified)" + after);
    }

    /** What a manual rollback did: each step's outcome, and for each restored running agent its restart and health. */
    public record RollbackResult(List<Restorer.Outcome> outcomes, Map<AgentId, String> health) {
    }

    /**
     * {@code rollback}: restores the given steps' originals under the fleet lock, refusing files edited
     * since the deploy unless {@code force} (which backs the edited version up first), then restarts and
     * health-checks the agents that run. A deployment none of whose changes remain becomes rolled_back.
     */
    public RollbackResult rollback(List<StoredStep> steps, String why, boolean force) {
        Long deploymentId = steps.stream().map(StoredStep::deploymentId).distinct().count() == 1 ? steps.getFirst().deploymentId() : null;
        journal.lock(LockHolder.self(deploymentId, "rollback", host));
        try {
            steps.stream().map(StoredStep::deploymentId).distinct().forEach(d -> journal.note(d, null, "rollback", why));
            List<Restorer.Outcome> outcomes = restorer.restore(steps, why, force, null);
            Map<AgentId, String> health = new LinkedHashMap<>();
            for (Restorer.Outcome outcome : outcomes) {
                for (Agent agent : agentsOf(outcome.step())) {
                    if (!(outcome instanceof Restorer.Restored r)) {
                        continue;
                    }
                    if (!runtime.running(agent)) {
                        health.put(agent.id(), "not running: it runs the original from its next start");
                    } else if (r.wasAlreadyOriginal()) {
                        health.put(agent.id(), "running; the original was already on disk, so it was not restarted");
                    } else {
                        health.put(agent.id(), restartAfterRestore(outcome.step(), agent));
                    }
                }
            }
            for (long d : steps.stream().map(StoredStep::deploymentId).distinct().toList()) {
                List<StoredStep> all = journal.steps(d);
                if (all.stream().noneMatch(s -> s.state().changed()) && journal.deployment(d).map(x -> !x.running()).orElse(false)) {
                    journal.finish(d, DeploymentState.ROLLED_BACK, "rolled back: " + why);
                }
            }
            return new RollbackResult(outcomes, health);
        } finally {
            journal.unlock();
        }
    }

    /** Restarts an agent on its restored original and checks its health, recording both. */
    String restartAfterRestore(StoredStep step, Agent agent) {
        journal.record(step, DeploymentJournal.INTENT, "restart after restore", null, null);
        Instant at = Instant.now();
        AgentRuntime.Restart restart = runtime.restart(agent);
        journal.record(step, DeploymentJournal.OUTCOME, "restart after restore", null, restart.ok() ? "restarted" : "restart failed");
        if (!restart.ok()) {
            return "restart on the original failed: " + restart.method();
        }
        GateDecision health = new HealthGate(Duration.ofSeconds(30), runtime::healthTarget).evaluate(agent, at);
        journal.decision(step.deploymentId(), step.batch(), step.id(), new Decision(Decision.GATE, "health after rollback",
                Decision.Verdict.of(health.verdict()), health.rule(), health.summary(), health.evidence(), Instant.now()));
        return "restarted on the original: " + health.summary();
    }

    private static Decision batchGate(List<StoredStep> batch, RolloutOptions options) {
        long failed = batch.stream().filter(s -> s.state().failed()).count();
        long held = batch.stream().filter(s -> s.state() == StepState.HELD).count();
        long applied = batch.stream().filter(s -> s.state() == StepState.APPLIED).count();
        double percent = batch.isEmpty() ? 0 : failed * 100.0 / batch.size();
        boolean fail = percent > options.maxFailPercent();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("steps", batch.size());
        evidence.put("applied", applied);
        evidence.put("held", held);
        evidence.put("failed", failed);
        evidence.put("failed_percent", percent);
        evidence.put("max_fail_percent", options.maxFailPercent());
        evidence.put("failed_steps", batch.stream().filter(s -> s.state().failed()).map(s -> s.label() + " " + s.agent() + ": " + s.detail()).toList());
        String rule = "failed %d/%d = %.1f%% %s --max-fail %.1f%%".formatted(failed, batch.size(), percent, fail ? ">" : "<=",
                options.maxFailPercent());
        return new Decision(Decision.BATCH_GATE, "max-fail", fail ? Decision.Verdict.FAIL : held > 0 ? Decision.Verdict.HOLD : Decision.Verdict.PASS, rule,
                fail ? "too many steps failed: --on-fail " + options.onFail().text() + " applies"
                        : held > 0 ? held + " step(s) held" : "batch passed", evidence, Instant.now());
    }

    /** Applies --on-fail; returns the final result, or null when the rollout goes on (pause, then resume). */
    private DeploymentResult onFail(long deploymentId, int batch, RolloutOptions options, Decision gate, RolloutListener listener) {
        switch (options.onFail()) {
            case ROLLBACK_BATCH -> {
                List<StoredStep> changed = journal.steps(deploymentId).stream()
                        .filter(s -> s.batch() == batch && s.state().changed()).toList();
                restoreAndRestart(changed, "batch %d.%d failed its gate (%s): rollback-batch".formatted(deploymentId, batch, gate.rule()));
                journal.batchState(deploymentId, batch, BatchState.ROLLED_BACK);
                return finish(deploymentId, DeploymentState.STOPPED, "stopped at batch %d: %s; the batch was rolled back (--on-fail rollback-batch)"
                        .formatted(batch, gate.rule()));
            }
            case ROLLBACK_ALL -> {
                return rollBackAll(deploymentId, "stopped at batch %d: %s; every change was rolled back (--on-fail rollback-all)"
                        .formatted(batch, gate.rule()), DeploymentState.ROLLED_BACK);
            }
            case PAUSE -> {
                journal.control(deploymentId, "pause");
                listener.message("batch %d failed its gate (%s): paused. deploy resume %d goes on, deploy abort %d rolls everything back"
                        .formatted(batch, gate.rule(), deploymentId, deploymentId));
                return awaitControl(deploymentId, listener) ? abort(deploymentId, "aborted by deploy abort after batch " + batch
                        + " failed its gate") : null;
            }
        }
        throw new IllegalStateException("unknown --on-fail " + options.onFail());
    }

    private DeploymentResult abort(long deploymentId, String summary) {
        return rollBackAll(deploymentId, summary + "; every change was rolled back", DeploymentState.ABORTED);
    }

    private DeploymentResult rollBackAll(long deploymentId, String summary, DeploymentState state) {
        List<StoredStep> changed = journal.steps(deploymentId).stream().filter(s -> s.state().changed()).toList();
        restoreAndRestart(changed, summary);
        changed.stream().map(StoredStep::batch).distinct().forEach(b -> journal.batchState(deploymentId, b, BatchState.ROLLED_BACK));
        return finish(deploymentId, state, summary);
    }

    private void restoreAndRestart(List<StoredStep> steps, String why) {
        restartRestored(restorer.restore(steps, why, false, StepState.CONFLICT));
    }

    /** Restarts, on its original, every running agent of each step a restore put back (a module step: its dependents). */
    void restartRestored(List<Restorer.Outcome> outcomes) {
        for (Restorer.Outcome outcome : outcomes) {
            for (Agent agent : agentsOf(outcome.step())) {
                if (outcome instanceof Restorer.Restored r && !r.wasAlreadyOriginal() && runtime.running(agent)) {
                    restartAfterRestore(outcome.step(), agent);
                }
            }
        }
    }

    /**
     * Waits while the deployment is paused. Returns true when it was aborted.
     */
    private boolean awaitControl(long deploymentId, RolloutListener listener) {
        String control = journal.control(deploymentId);
        if ("pause".equals(control)) {
            journal.note(deploymentId, null, "paused", null);
            listener.message("paused: deploy resume %d goes on, deploy abort %d rolls everything back".formatted(deploymentId, deploymentId));
            while ("pause".equals(control)) {
                sleep(250);
                control = journal.control(deploymentId);
            }
            if (control == null) {
                journal.note(deploymentId, null, "resumed", null);
                listener.message("resumed");
            }
        }
        return "abort".equals(control);
    }

    /** The countdown between batches; true when aborted meanwhile. */
    private boolean wait(long deploymentId, Duration interval, int nextBatch, RolloutListener listener) {
        Instant end = Instant.now().plus(interval);
        long lastSecond = -1;
        while (Instant.now().isBefore(end)) {
            Duration left = Duration.between(Instant.now(), end);
            if (left.toSeconds() != lastSecond) {
                lastSecond = left.toSeconds();
                listener.waiting(left, nextBatch);
            }
            String control = journal.control(deploymentId);
            if ("abort".equals(control)) {
                return true;
            }
            if ("pause".equals(control)) {
                if (awaitControl(deploymentId, listener)) {
                    return true;
                }
                end = Instant.now().plus(left);
            }
            sleep(Math.min(250, Math.max(1, Duration.between(Instant.now(), end).toMillis())));
        }
        return false;
    }

    private DeploymentResult finish(long deploymentId, DeploymentState state, String summary) {
        journal.finish(deploymentId, state, summary);
        return new DeploymentResult(deploymentId, state, summary, journal.steps(deploymentId));
    }

    private static String checks(Proof proof) {
        return String.join(", ", proof.checks().stream().map(c -> c.name() + " " + (c.outcome() == ProofCheck.Outcome.PASSED ? "ok"
                : c.outcome().name().toLowerCase())).toList());
    }

    private static FleetshellException unknown(long id) {
        return new FleetshellException(ErrorCode.UNKNOWN_NAME, "there is no deployment " + id + " (deploy status lists them)");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted");
        }
    }
}
