package io.fleetshell.engine.playbook;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.rollout.BatchOutcome;
import io.fleetshell.engine.rollout.BatchPolicy;
import io.fleetshell.engine.rollout.BatchSpec;
import io.fleetshell.engine.rollout.BatchState;
import io.fleetshell.engine.rollout.DeploymentResult;
import io.fleetshell.engine.rollout.RolloutListener;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import org.graalvm.polyglot.Value;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A playbook's {@code fleet.deploy} policies plugged into the rollout executor's one batch loop: {@code batchSize}
 * (a spec, or the function {@code (index, history) => number}) sizes each batch as it starts, {@code shouldContinue}
 * (the function {@code (batch) => boolean}) decides after each passed batch. As a listener it keeps each finished
 * batch as the JSON object the playbook sees ({@code history}, {@code batches}) and journals it; a batch that did
 * not pass waits for how the deployment ended, since that is the state its object reports.
 */
final class PlaybookBatches implements BatchPolicy, RolloutListener {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Value policies;
    private final BatchSpec spec;
    private final FleetApi api;
    private final RunControl control;
    private final int line;
    private final String prefix;
    private final List<Map<String, Object>> history = new ArrayList<>();
    private BatchOutcome unsettled;
    private boolean stoppedByPolicy;

    /** @param spec the batch sizes when the playbook gave no {@code batchSize} function, else null */
    PlaybookBatches(Value policies, BatchSpec spec, FleetApi api, RunControl control, int line, boolean simulated) {
        this.policies = policies;
        this.spec = spec;
        this.api = api;
        this.control = control;
        this.line = line;
        this.prefix = simulated ? "simulation: " : "";
    }

    /** The finished batches as the playbook sees them, in order. */
    List<Map<String, Object>> history() {
        return history;
    }

    /** Whether {@code shouldContinue} said no. */
    boolean stoppedByPolicy() {
        return stoppedByPolicy;
    }

    @Override
    public int nextBatchSize(Progress progress) {
        checkStop();
        settle(null);
        return size(progress.index(), progress.total(), progress.left());
    }

    /** The size of batch {@code index} when {@code left} of {@code total} agents are not deployed yet. */
    int size(int index, int total, int left) {
        if (spec != null) {
            List<Integer> sizes = spec.split(total);
            return index < sizes.size() ? sizes.get(index) : left;
        }
        Object answer = call("batchSize", index, history);
        if (!(answer instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < 1) {
            throw new FleetshellException(ErrorCode.PLAYBOOK_INVALID, ("policy batchSize(%d, history) returned %s; "
                    + "it must return a whole number of agents, 1 or more").formatted(index, ApiArgs.describe(answer)));
        }
        int size = Math.min(n.intValue(), left);
        api.journal(JournalEntry.Kind.DECISION, line, "batchSize(%d) = %d%s".formatted(index, n.intValue(),
                size < n.intValue() ? " (%d left)".formatted(left) : ""), ApiValues.object("policy", "batchSize", "index", index, "answer", n));
        return size;
    }

    @Override
    public boolean shouldContinue(BatchOutcome batch) {
        checkStop();
        return shouldContinue(history.getLast(), batch.number() - 1);
    }

    /** Asks {@code shouldContinue} about a batch's object; true when the playbook gave no such function. */
    boolean shouldContinue(Map<String, Object> batch, int index) {
        if (!policies.hasMember("shouldContinue")) {
            return true;
        }
        Object answer = call("shouldContinue", batch);
        if (!(answer instanceof Boolean go)) {
            throw new FleetshellException(ErrorCode.PLAYBOOK_INVALID,
                    "policy shouldContinue(batch) returned %s; it must return true or false".formatted(ApiArgs.describe(answer)));
        }
        api.journal(JournalEntry.Kind.DECISION, line, "shouldContinue(batch %d: %s) = %s".formatted(index + 1, batch.get("state"), go),
                ApiValues.object("policy", "shouldContinue", "batch", index + 1, "answer", go));
        stoppedByPolicy = !go;
        return go;
    }

    @Override
    public void batchFinished(BatchOutcome outcome) {
        settle(null);
        if (outcome.state() == BatchState.PASSED) {
            // "completed", as each batch's own deployment reported a passed batch before they became one deployment
            add(outcome, "completed", outcome.gate().summary(), outcome.steps());
        } else {
            unsettled = outcome;
        }
    }

    /**
     * Reports a batch that did not pass: with how the deployment ended when it ended there, or with the batch's own
     * state when the rollout went on (a paused batch resumed).
     */
    void settle(DeploymentResult ended) {
        if (unsettled != null) {
            BatchOutcome batch = unsettled;
            unsettled = null;
            if (ended == null) {
                add(batch, batch.state().text(), batch.gate().summary(), batch.steps());
            } else {
                // the steps as --on-fail left them (a rolled-back batch's steps are rolled back)
                List<Long> ids = batch.steps().stream().map(StoredStep::id).toList();
                add(batch, ended.state().text(), ended.summary(), ended.steps().stream().filter(s -> ids.contains(s.id())).toList());
            }
        }
    }

    /** Adds a batch object and journals it as the action it was. */
    void add(Map<String, Object> batch, String text) {
        history.add(batch);
        api.journal(JournalEntry.Kind.ACTION, line, text, batch);
    }

    private void add(BatchOutcome outcome, String state, String summary, List<StoredStep> steps) {
        Map<String, Object> batch = batchJson(outcome.number() - 1, outcome.deploymentId(), state, summary, steps.stream()
                .map(s -> ApiValues.object("agent", s.agent().toString(), "state", s.state().text(), "detail", s.detail(), "step",
                        s.label())).toList());
        add(batch, "%sbatch %d: %s".formatted(prefix, outcome.number(), summary));
    }

    static Map<String, Object> batchJson(int index, Long deployment, String state, String summary, List<Map<String, Object>> agents) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("deployment", deployment);
        m.put("state", state);
        m.put("summary", summary);
        m.put("agents", agents);
        m.put("applied", agents.stream().filter(a -> StepState.APPLIED.text().equals(a.get("state"))).count());
        m.put("failed", agents.stream().filter(a -> List.of("rolled back", "drifted", "conflict").contains(a.get("state"))).count());
        m.put("held", agents.stream().filter(a -> StepState.HELD.text().equals(a.get("state"))).count());
        return m;
    }

    /** A stop the watchdog asked for ends the rollout between two batches: nothing is in flight there. */
    private void checkStop() {
        if (control.stopReason() != null) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "fleet.deploy: woken to stop: " + control.stopReason().message());
        }
    }

    /** Calls a policy the prelude wrapped: JSON arguments in, JSON answer out; its own errors propagate with their line. */
    private Object call(String name, Object... args) {
        String answer = control.outsideAction(() -> policies.getMember(name).execute(JSON.writeValueAsString(List.of(args))).asString());
        return ApiValues.restoreNumbers(JSON.readValue(answer, Object.class));
    }
}
