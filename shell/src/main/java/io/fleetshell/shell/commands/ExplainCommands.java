package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.rollout.Decision;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentJournal;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Output;
import io.fleetshell.shell.render.TextTable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;

/**
 * {@code explain} prints the decision journal of a deployment, batch or step: every proof check and gate with its
 * raw values and the rule that fired; {@code explain playbook:RUN} hands over to the playbook run's view.
 */
@Component
public class ExplainCommands {

    private final ShellSession session;
    private final Rollouts rollouts;
    private final ObjectProvider<PlaybookCommands> playbooks;

    public ExplainCommands(ShellSession session, Rollouts rollouts, ObjectProvider<PlaybookCommands> playbooks) {
        this.session = session;
        this.rollouts = rollouts;
        this.playbooks = playbooks;
    }

    @Command(name = "explain", group = DeployCommands.GROUP, help = "explain DEPLOYMENT | BATCH | STEP | playbook:RUN [--raw] [--json]",
            completionProvider = "deploymentCompletion",
            description = "The decision journal of a deployment (ID 4), a batch (4.2) or a step (4.2.1): a summary (batches, "
                    + "steps, verdicts, durations), then for every proof check and gate a line that says what was decided "
                    + "and why (PASS, FAIL, HOLD; SKIP for a check that did not run), then its evidence: samples, statistic, "
                    + "threshold and rule, compact and rounded. --raw shows every value as stored; a step also shows its "
                    + "journal of intents and outcomes and its backups. playbook:RUN explains a playbook run: every fleet "
                    + "call, policy decision and the deployments it made (explain each of them for their evidence).")
    public void explain(@Argument(index = 0) String id,
                        @Option(longName = "raw", description = "every evidence value in full, as stored") boolean raw,
                        @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        if (id != null && id.startsWith("playbook:")) {
            playbooks.getObject().show(id.substring("playbook:".length()), json);
            return;
        }
        if (id == null || id.isBlank() || !id.matches("\\d+(\\.\\d+){0,2}")) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "explain takes a deployment (4), a batch (4.2), a step (4.2.1) "
                    + "or a playbook run (playbook:7); deploy status and playbook runs list them");
        }
        String[] parts = id.split("\\.");
        Deployment d = rollouts.deployment(Integer.parseInt(parts[0]));
        DeploymentStore store = rollouts.store();
        Integer batch = parts.length > 1 ? Integer.parseInt(parts[1]) : null;
        Integer position = parts.length > 2 ? Integer.parseInt(parts[2]) : null;
        List<StoredStep> all = store.steps(d.id());
        List<StoredStep> steps = all.stream()
                .filter(s -> batch == null || s.batch() == batch)
                .filter(s -> position == null || s.position() == position).toList();
        if (steps.isEmpty() && batch != null) {
            throw new FleetshellException(ErrorCode.UNKNOWN_NAME, "deployment %d has no %s %s (deploy status %d lists its steps)".formatted(
                    d.id(), position == null ? "batch" : "step", id, d.id()));
        }
        List<DeploymentJournal.Recorded> decisions = store.decisions(d.id());
        List<DeploymentJournal.Entry> journal = store.journal(d.id());
        ExplainView.Overview overview = ExplainView.overview(d, all, decisions, journal);
        Output out = session.output();
        if (json) {
            out.json(new ExplainJson(d.id(), d.state().text(), d.summary(), ExplainView.OverviewJson.of(overview), decisions.stream()
                    .filter(r -> r.stepId() == null && (batch == null || batch.equals(r.batch()))).map(r -> DecisionJson.of(r.decision())).toList(),
                    steps.stream().map(s -> ExplainJson.StepJson.of(s, decisions)).toList()));
            return;
        }
        ExplainView.printOverview(out, d, overview);
        boolean full = position != null;
        int lastBatch = -1;
        for (StoredStep s : steps) {
            if (s.batch() != lastBatch) {
                lastBatch = s.batch();
                int b = lastBatch;
                out.println("");
                out.println(out.bold("batch %d.%d".formatted(d.id(), b)));
                decisions.stream().filter(r -> r.stepId() == null && Integer.valueOf(b).equals(r.batch()))
                        .forEach(r -> ExplainView.printDecision(out, r.decision(), "  ", raw, full));
            }
            List<DeploymentJournal.Recorded> mine = decisions.stream().filter(r -> Long.valueOf(s.id()).equals(r.stepId())).toList();
            // a held or failed step's detail repeats its decisions' summaries: said once, by the decisions below
            String detail = s.detail() == null || !mine.isEmpty() ? "" : ": " + s.detail();
            out.println(TextTable.wrap("  ", "      ", out.bold("step " + s.label()) + " %s: %s%s (%s, %s)".formatted(s.subject(),
                    s.state().text(), detail, s.pattern(), s.multiFile() ? s.files().size() + " files" : s.file()), raw ? 0 : out.width()));
            RolloutView.fileLines(s, "    ").stream().skip(1).forEach(out::println);
            if (mine.isEmpty()) {
                out.println("    no decision: the step did not run");
            }
            mine.forEach(r -> ExplainView.printDecision(out, r.decision(), "    ", raw, full));
            if (full) {
                out.println("    journal:");
                journal.stream().filter(e -> Long.valueOf(s.id()).equals(e.stepId())).forEach(e -> out.println(
                        "      %s %-7s %s%s".formatted(e.at(), e.phase(), e.action(), e.detail() == null ? "" : ": " + e.detail())));
                store.backups(d.id()).stream().filter(b -> b.stepId() == s.id()).forEach(b -> out.println(
                        b.absent() ? "    backup (%s) of %s: absent, the step creates it (a rollback removes it)".formatted(b.reason(), b.path())
                        : "    backup (%s)%s: sha256 %s, mode %s, owner %s, mtime %s, real path %s".formatted(b.reason(),
                                s.multiFile() ? " of " + b.path() : "", b.sha256(),
                                b.mode() == null ? "-" : Integer.toOctalString(b.mode()), b.meta().ownership() == null ? "-"
                                        : b.meta().ownership(), b.mtime(), b.realPath() == null ? "-" : b.realPath())));
            }
        }
        if (!full && !steps.isEmpty()) {
            out.info("explain %s shows one step in full (journal, backups); --raw every value as stored.".formatted(steps.getFirst().label()));
        }
    }

    /** {@code explain --json}: the deployment, its batch gates, and each step with its decisions. */
    record ExplainJson(long deployment, String state, String summary, ExplainView.OverviewJson overview, List<DecisionJson> batchGates,
                       List<StepJson> steps) {

        /** A step with its decisions; a step of several files adds {@code module}, {@code dependents} and {@code files}. */
        record StepJson(String step, String agent, String file, String pattern, String state, String detail, String beforeSha256,
                        String afterSha256, Double predictedGainMs, List<DecisionJson> decisions,
                        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String module,
                        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) List<String> dependents,
                        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                        List<RolloutView.FileJson> files) {

            static StepJson of(StoredStep s, List<DeploymentJournal.Recorded> decisions) {
                return new StepJson(s.label(), s.agent().toString(), s.file().toString(), s.pattern(), s.state().text(), s.detail(),
                        s.beforeSha256(), s.afterSha256(), s.predictedGainMs(), decisions.stream()
                        .filter(r -> Long.valueOf(s.id()).equals(r.stepId())).map(r -> DecisionJson.of(r.decision())).toList(), s.module(),
                        s.module() == null ? null : s.dependents().stream().map(Object::toString).toList(), RolloutView.FileJson.of(s));
            }
        }
    }

    /**
     * One proof check, gate or batch gate decision with its evidence; {@code verdict} as stored (a proof's PASSED),
     * {@code outcome} in the one vocabulary PASS, FAIL, HOLD, SKIP, {@code why} as the verdict line says it.
     */
    record DecisionJson(String kind, String name, String verdict, String outcome, String rule, String summary, String why,
                        Map<String, Object> evidence, String at) {

        static DecisionJson of(Decision d) {
            return new DecisionJson(d.kind(), d.name(), d.verdict().name(), ExplainView.word(d.verdict()), d.rule(), d.summary(),
                    ExplainView.why(d), d.evidence(), d.at().toString());
        }
    }

}
