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

    @Command(name = "explain", group = DeployCommands.GROUP, help = "explain DEPLOYMENT | BATCH | STEP | playbook:RUN [--json]",
            completionProvider = "deploymentCompletion",
            description = "The decision journal: for every proof check and gate of a deployment (ID 4), a batch (4.2) or a step "
                    + "(4.2.1), the verdict, the rule that fired and the raw values, baseline, statistic and threshold it was "
                    + "decided on; with the journal of intents and outcomes for a step. playbook:RUN explains a playbook run: "
                    + "every fleet call, policy decision and the deployments it made (explain each of them for their evidence).")
    public void explain(@Argument(index = 0) String id,
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
        List<StoredStep> steps = store.steps(d.id()).stream()
                .filter(s -> batch == null || s.batch() == batch)
                .filter(s -> position == null || s.position() == position).toList();
        if (steps.isEmpty() && batch != null) {
            throw new FleetshellException(ErrorCode.UNKNOWN_NAME, "deployment %d has no %s %s (deploy status %d lists its steps)".formatted(
                    d.id(), position == null ? "batch" : "step", id, d.id()));
        }
        List<DeploymentJournal.Recorded> decisions = store.decisions(d.id());
        Output out = session.output();
        if (json) {
            out.json(new ExplainJson(d.id(), d.state().text(), d.summary(), decisions.stream()
                    .filter(r -> r.stepId() == null && (batch == null || batch.equals(r.batch()))).map(r -> DecisionJson.of(r.decision())).toList(),
                    steps.stream().map(s -> ExplainJson.StepJson.of(s, decisions)).toList()));
            return;
        }
        out.println("deployment %d (%s, started %s): %s%s".formatted(d.id(), d.pattern(), DeployCommands.WHEN.format(d.createdAt()),
                d.state().words(), d.summary() == null ? "" : ": " + d.summary()));
        boolean full = position != null;
        int lastBatch = -1;
        for (StoredStep s : steps) {
            if (s.batch() != lastBatch) {
                lastBatch = s.batch();
                int b = lastBatch;
                out.println("");
                out.println(out.bold("batch %d.%d".formatted(d.id(), b)));
                decisions.stream().filter(r -> r.stepId() == null && Integer.valueOf(b).equals(r.batch()))
                        .forEach(r -> printDecision(out, r.decision(), "  ", full));
            }
            out.println("  " + out.bold("step " + s.label()) + " %s (%s, %s): %s%s".formatted(s.agent(), s.pattern(), s.file(), s.state().text(),
                    s.detail() == null ? "" : ": " + s.detail()));
            List<DeploymentJournal.Recorded> mine = decisions.stream().filter(r -> Long.valueOf(s.id()).equals(r.stepId())).toList();
            if (mine.isEmpty()) {
                out.println("    no decision: the step did not run");
            }
            mine.forEach(r -> printDecision(out, r.decision(), "    ", full));
            if (full) {
                out.println("    journal:");
                store.journal(d.id()).stream().filter(e -> Long.valueOf(s.id()).equals(e.stepId())).forEach(e -> out.println(
                        "      %s %-7s %s%s".formatted(e.at(), e.phase(), e.action(), e.detail() == null ? "" : ": " + e.detail())));
                store.backups(d.id()).stream().filter(b -> b.stepId() == s.id()).forEach(b -> out.println(
                        "    backup (%s): sha256 %s, mode %s, mtime %s".formatted(b.reason(), b.sha256(),
                                b.mode() == null ? "-" : Integer.toOctalString(b.mode()), b.mtime())));
            }
        }
        if (!full && !steps.isEmpty()) {
            out.info("explain %s shows one step in full (raw output, journal, backups).".formatted(steps.getFirst().label()));
        }
    }

    private static void printDecision(Output out, Decision d, String indent, boolean full) {
        String verdict = out.style(d.verdict().name(), d.verdict().passed() ? "32" : d.verdict().failed() ? "31" : "33");
        out.println("%s%-10s %-24s %s  %s".formatted(indent, d.kind(), d.name(), verdict, d.summary() == null ? "" : d.summary()));
        if (d.rule() != null) {
            out.println("%s  rule: %s".formatted(indent, d.rule()));
        }
        d.evidence().forEach((k, v) -> {
            String text = String.valueOf(v);
            if (!full && text.length() > 160) {
                text = text.substring(0, 157).replace('\n', ' ') + "...";
            } else if (!full) {
                text = text.replace('\n', ' ');
            }
            out.println("%s  %s: %s".formatted(indent, k, full && text.contains("\n") ? "\n" + text.indent(indent.length() + 4).stripTrailing() : text));
        });
    }

    /** {@code explain --json}: the deployment, its batch gates, and each step with its decisions. */
    record ExplainJson(long deployment, String state, String summary, List<DecisionJson> batchGates, List<StepJson> steps) {

        record StepJson(String step, String agent, String file, String pattern, String state, String detail, String beforeSha256,
                        String afterSha256, Double predictedGainMs, List<DecisionJson> decisions) {

            static StepJson of(StoredStep s, List<DeploymentJournal.Recorded> decisions) {
                return new StepJson(s.label(), s.agent().toString(), s.file().toString(), s.pattern(), s.state().text(), s.detail(),
                        s.beforeSha256(), s.afterSha256(), s.predictedGainMs(), decisions.stream()
                        .filter(r -> Long.valueOf(s.id()).equals(r.stepId())).map(r -> DecisionJson.of(r.decision())).toList());
            }
        }
    }

    /** One proof check, gate or batch gate decision with its evidence. */
    record DecisionJson(String kind, String name, String verdict, String rule, String summary, Map<String, Object> evidence, String at) {

        static DecisionJson of(Decision d) {
            return new DecisionJson(d.kind(), d.name(), d.verdict().name(), d.rule(), d.summary(), d.evidence(), d.at().toString());
        }
    }

}
