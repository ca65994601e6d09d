package io.fleetshell.shell.commands;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.rollout.Decision;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.DeploymentJournal;
import io.fleetshell.engine.rollout.Restorer;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rollback} puts originals back from history, byte-exact; {@code explain} prints the decision journal
 * of a deployment, batch or step: every proof check and gate with its raw values and the rule that fired.
 */
@Component
public class RollbackCommands {

    private final ShellSession session;
    private final Rollouts rollouts;
    private final org.springframework.beans.factory.ObjectProvider<PlaybookCommands> playbooks;

    public RollbackCommands(ShellSession session, Rollouts rollouts,
                            org.springframework.beans.factory.ObjectProvider<PlaybookCommands> playbooks) {
        this.session = session;
        this.rollouts = rollouts;
        this.playbooks = playbooks;
    }

    @Journaled
    @Command(name = "rollback", group = DeployCommands.GROUP, help = "rollback AGENT | --batch ID | --deployment ID [--force] [--yes] [--json]",
            completionProvider = "rollbackCompletion",
            description = "Put originals back from the backups in history, byte-exact and verified by checksum: one agent's latest "
                    + "change, a batch (ID like 4.2) or a whole deployment. A file edited since the deploy is refused unless "
                    + "--force, which backs the edited version up first. Prints what it restored with checksums, then restarts "
                    + "the agents that run and checks their health.")
    public void rollback(@Argument(index = 0) String name,
                         @Option(longName = "batch", description = "a batch: DEPLOYMENT.BATCH, e.g. 4.2") String batch,
                         @Option(longName = "deployment", description = "a deployment id") Integer deployment,
                         @Option(longName = "force", description = "also replace files edited since the deploy (their edited version is backed up first)") boolean force,
                         @Option(longName = "yes", description = "do not ask for confirmation") boolean yes,
                         @Option(longName = "json", description = "print JSON on stdout") boolean json) {
        int targets = (name == null || name.isBlank() ? 0 : 1) + (batch == null ? 0 : 1) + (deployment == null ? 0 : 1);
        if (targets != 1) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name one target: rollback AGENT, rollback --batch ID or rollback --deployment ID");
        }
        DeploymentStore store = rollouts.store();
        Inventory inventory = session.inventoryStore().inventory();
        List<StoredStep> steps;
        String what;
        if (deployment != null) {
            rollouts.deployment(deployment);
            steps = changed(store.steps(deployment));
            what = "deployment " + deployment;
        } else if (batch != null) {
            int[] id = batchId(batch);
            rollouts.deployment(id[0]);
            steps = changed(store.steps(id[0]).stream().filter(s -> s.batch() == id[1]).toList());
            what = "batch " + batch;
        } else {
            Agent agent = AgentLookup.agent(AgentLookup.nonEmpty(inventory), name);
            steps = store.stepsOf(agent.id()).stream().filter(s -> s.state().changed()).limit(1).toList();
            what = agent.id().toString();
        }
        if (steps.isEmpty()) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s has no change left to roll back (deploy status lists deployments and their steps)"
                    .formatted(what));
        }
        if (!yes && (deployment != null || batch != null)) {
            Optional<String> answer = session.ask("Roll back %d agent%s of %s? [y/N] ".formatted(steps.size(), steps.size() == 1 ? "" : "s", what));
            if (answer.isEmpty()) {
                throw new FleetshellException(ErrorCode.BAD_INPUT, "rollback of a %s changes files: confirm with --yes (the shell asks instead). "
                        .formatted(deployment != null ? "deployment" : "batch") + "Nothing was changed.");
            }
            if (!answer.get().strip().equalsIgnoreCase("y") && !answer.get().strip().equalsIgnoreCase("yes")) {
                session.output().info("Not rolled back. Nothing was changed.");
                return;
            }
        }
        session.journal().agents(steps.stream().map(StoredStep::agent).toList());
        RolloutExecutor.RollbackResult result = rollouts.restorer(inventory).rollback(steps, "rollback " + what + (force ? " --force" : ""), force);
        long restored = result.outcomes().stream().filter(o -> o instanceof Restorer.Restored).count();
        long refused = result.outcomes().size() - restored;
        session.journal().summary("rolled back %d of %d steps of %s".formatted(restored, steps.size(), what));
        Output out = session.output();
        if (json) {
            out.json(new RollbackJson(what, result.outcomes().stream().map(o -> OutcomeJson.of(o, result.health())).toList()));
        } else {
            printRollback(out, result);
        }
        if (refused > 0) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "%d of %d file%s not restored (reasons above); rollback %s --force replaces "
                    .formatted(refused, steps.size(), steps.size() == 1 ? " was" : "s were", deployment != null ? "--deployment " + deployment
                            : batch != null ? "--batch " + batch : name) + "them after backing up their current version");
        }
    }

    static void printRollback(Output out, RolloutExecutor.RollbackResult result) {
        for (Restorer.Outcome o : result.outcomes()) {
            out.println(outcomeLine(o));
            String health = result.health().get(o.step().agent());
            if (health != null) {
                out.println("  health: " + health);
            }
        }
    }

    static String outcomeLine(Restorer.Outcome o) {
        StoredStep s = o.step();
        return switch (o) {
            case Restorer.Restored r when r.wasAlreadyOriginal() -> "%s %s: already the original (sha256 %s)".formatted(s.label(), s.agent(), r.sha256());
            case Restorer.Restored r -> "%s %s: restored %s, sha256 %s verified (was %s%s)".formatted(s.label(), s.agent(), s.file(), r.sha256(),
                    r.replacedEdit() ? "an edited version, backed up first" : "the rewrite " + s.afterSha256().substring(0, 12),
                    r.note() == null ? "" : "; " + r.note());
            case Restorer.Refused r -> "%s %s: NOT restored: %s".formatted(s.label(), s.agent(), r.reason());
            case Restorer.Failed f -> "%s %s: restore FAILED: %s".formatted(s.label(), s.agent(), f.reason());
        };
    }

    /** {@code rollback --json}: what was rolled back and each step's outcome. */
    record RollbackJson(String target, List<OutcomeJson> outcomes) {
    }

    /** One step's restore, with the agent's health after it when it runs. */
    record OutcomeJson(String step, String agent, String file, String outcome, String sha256, String reason, String health) {

        static OutcomeJson of(Restorer.Outcome o, Map<AgentId, String> health) {
            return new OutcomeJson(o.step().label(), o.step().agent().toString(), o.step().file().toString(), switch (o) {
                case Restorer.Restored r -> r.wasAlreadyOriginal() ? "already original" : "restored";
                case Restorer.Refused r -> "refused";
                case Restorer.Failed f -> "failed";
            }, o instanceof Restorer.Restored r ? r.sha256() : null,
                    o instanceof Restorer.Refused r ? r.reason() : o instanceof Restorer.Failed f ? f.reason() : null, health.get(o.step().agent()));
        }
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
        out.println("deployment %d (%s, started %s): %s".formatted(d.id(), d.pattern(), DeployCommands.WHEN.format(d.createdAt()),
                d.state().with(d.summary())));
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
                        "    backup (%s): sha256 %s, mode %s, owner %s, mtime %s, real path %s".formatted(b.reason(), b.sha256(),
                                b.mode() == null ? "-" : Integer.toOctalString(b.mode()), b.meta().ownership() == null ? "-"
                                        : b.meta().ownership(), b.mtime(), b.realPath() == null ? "-" : b.realPath())));
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

    /**
     * The steps a rollback of a batch or deployment must cover (issue 16): every step whose file holds its rewrite,
     * whatever state the journal gives it (an interrupted step left {@code written} counts), and every step the journal
     * says is changed, caught mid-way or in conflict, so that the restorer either restores it or names why not.
     */
    static List<StoredStep> changed(List<StoredStep> steps) {
        return steps.stream().filter(s -> s.state().changed() || s.state() == StepState.WRITING || s.state() == StepState.WRITTEN
                || s.state() == StepState.RESTORING || s.state() == StepState.CONFLICT || holdsRewrite(s)).toList();
    }

    private static boolean holdsRewrite(StoredStep step) {
        if (step.state() == StepState.PENDING || step.state() == StepState.DRIFTED) {
            return false; // never written by this deployment: a file equal to the rewrite got there some other way
        }
        try {
            byte[] bytes = java.nio.file.Files.isRegularFile(step.file()) ? java.nio.file.Files.readAllBytes(step.file()) : null;
            return bytes != null && io.fleetshell.engine.Checksums.sha256(bytes).equals(step.afterSha256());
        } catch (java.io.IOException e) {
            return true; // unreadable: let the restorer try and say what it found
        }
    }

    private static int[] batchId(String text) {
        if (!text.matches("\\d+\\.\\d+")) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "--batch takes DEPLOYMENT.BATCH, e.g. 4.2, not '" + text + "'");
        }
        String[] parts = text.split("\\.");
        return new int[]{Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }
}
