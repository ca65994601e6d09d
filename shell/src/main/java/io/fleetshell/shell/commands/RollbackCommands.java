package io.fleetshell.shell.commands;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.rollout.Restorer;
import io.fleetshell.engine.rollout.RolloutExecutor;
import io.fleetshell.engine.rollout.StepState;
import io.fleetshell.engine.rollout.StoredStep;
import io.fleetshell.engine.rollout.ModuleChange;
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
 * {@code rollback} puts originals back from history, byte-exact and verified by checksum: an agent's latest change, a
 * shared module's (every file of its step, the helper module it created removed, its dependents restarted), a batch or a
 * deployment.
 */
@Component
public class RollbackCommands {

    private final ShellSession session;
    private final Rollouts rollouts;

    public RollbackCommands(ShellSession session, Rollouts rollouts) {
        this.session = session;
        this.rollouts = rollouts;
    }

    @Journaled
    @Command(name = "rollback", group = DeployCommands.GROUP, help = "rollback AGENT | MODULE | --batch ID | --deployment ID [--force] [--yes] [--json]",
            completionProvider = "rollbackCompletion",
            description = "Put originals back from the backups in history, byte-exact and verified by checksum: one agent's latest "
                    + "change, a shared module's latest change (MODULE: its dotted name or its file; every file of that step, the "
                    + "helper module it created removed), a batch (ID like 4.2) or a whole deployment. A file edited since the deploy is refused unless "
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
            throw new FleetshellException(ErrorCode.BAD_INPUT, "name one target: rollback AGENT, rollback MODULE, rollback --batch ID or "
                    + "rollback --deployment ID");
        }
        DeploymentStore store = rollouts.store();
        Inventory inventory = session.inventoryStore().inventory();
        List<StoredStep> steps;
        String what;
        if (deployment != null) {
            rollouts.deployment(deployment);
            steps = changed(store.steps(deployment), rollouts.hosts(inventory));
            what = "deployment " + deployment;
        } else if (batch != null) {
            int[] id = batchId(batch);
            rollouts.deployment(id[0]);
            steps = changed(store.steps(id[0]).stream().filter(s -> s.batch() == id[1]).toList(), rollouts.hosts(inventory));
            what = "batch " + batch;
        } else if (isModule(store, inventory, name)) {
            // A shared module, by its dotted name or its file: its latest step, every file of it, its dependents restarted.
            String module = moduleOf(store, name);
            steps = store.stepsOfModule(module).stream().filter(s -> s.state().changed()).limit(1).toList();
            what = module;
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
        long files = steps.stream().mapToLong(s -> s.files().size()).sum();
        session.journal().summary("rolled back %d of %d steps of %s%s".formatted(restored, steps.size(), what,
                files > steps.size() ? " (%d files)".formatted(files) : ""));
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

    /**
     * Whether {@code name} names a shared module with steps in history (its dotted name or its file) rather than an agent:
     * an agent of that name wins.
     */
    private static boolean isModule(DeploymentStore store, Inventory inventory, String name) {
        boolean agent = inventory.agents().stream().anyMatch(a -> a.name().equals(name) || a.id().toString().equals(name));
        return !agent && moduleOf(store, name) != null;
    }

    /**
     * The module step {@code name} names, as stored: a dotted name with steps, the file of a module step, or one module
     * (by name or file) of a joint step of several, whose stored name joins them all with commas (the whole step is
     * rolled back: its files were proved and deployed as one).
     */
    private static String moduleOf(DeploymentStore store, String name) {
        if (!store.stepsOfModule(name).isEmpty()) {
            return name;
        }
        java.nio.file.Path file = java.nio.file.Path.of(name).toAbsolutePath().normalize();
        return store.changedSteps().stream().filter(s -> s.module() != null && (s.file().equals(file)
                        || ModuleChange.modulesOf(s.module()).contains(name) || (s.module().contains(",")
                        && s.files().stream().anyMatch(f -> !f.creates() && f.file().equals(file)))))
                .map(StoredStep::module).findFirst().orElse(null);
    }

    static void printRollback(Output out, RolloutExecutor.RollbackResult result) {
        for (Restorer.Outcome o : result.outcomes()) {
            out.sentence(outcomeLine(o));
            if (o instanceof Restorer.Restored r && !r.wasAlreadyOriginal() && o.step().multiFile()) {
                o.step().files().reversed().forEach(f -> out.println("  " + (f.creates() ? "removed %s (the step created it)".formatted(f.file())
                        : "restored %s, sha256 %s".formatted(f.file(), f.beforeSha256()))));
            }
            if (o.step().module() != null) {
                result.health().forEach((agent, health) -> {
                    if (o.step().dependents().contains(agent)) {
                        out.item("health of %s: %s".formatted(agent, health));
                    }
                });
                continue;
            }
            String health = result.health().get(o.step().agent());
            if (health != null) {
                out.item("health: " + health);
            }
        }
    }

    static String outcomeLine(Restorer.Outcome o) {
        StoredStep s = o.step();
        return switch (o) {
            case Restorer.Restored r when r.wasAlreadyOriginal() -> "%s %s: already the original (sha256 %s)".formatted(s.label(), s.agent(), r.sha256());
            case Restorer.Restored r when s.multiFile() -> "%s %s: restored its %d files, every sha256 verified (%s%s)".formatted(s.label(),
                    s.subject(), s.files().size(), r.replacedEdit() ? "an edited version backed up first" : "each was its rewrite",
                    r.note() == null ? "" : "; " + r.note());
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

    /**
     * One step's restore, with the agent's health after it when it runs. A module step adds its module, every file of the
     * step (with the sha256 it was put back to, null for a file the step created and the restore removed) and the health of
     * each of its dependents that runs.
     */
    record OutcomeJson(String step, String agent, String file, String outcome, String sha256, String reason, String health,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String module,
                       @JsonInclude(JsonInclude.Include.NON_NULL) List<FileJson> files,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> dependents) {

        static OutcomeJson of(Restorer.Outcome o, Map<AgentId, String> health) {
            StoredStep s = o.step();
            Map<String, String> dependents = new java.util.LinkedHashMap<>();
            s.dependents().stream().filter(health::containsKey).forEach(a -> dependents.put(a.toString(), health.get(a)));
            return new OutcomeJson(s.label(), s.agent().toString(), s.file().toString(), switch (o) {
                case Restorer.Restored r -> r.wasAlreadyOriginal() ? "already original" : "restored";
                case Restorer.Refused r -> "refused";
                case Restorer.Failed f -> "failed";
            }, o instanceof Restorer.Restored r ? r.sha256() : null,
                    o instanceof Restorer.Refused r ? r.reason() : o instanceof Restorer.Failed f ? f.reason() : null,
                    s.module() == null ? health.get(s.agent()) : null, s.module(),
                    s.multiFile() ? s.files().stream().map(f -> new FileJson(f.file().toString(), f.beforeSha256(), f.creates())).toList() : null,
                    s.module() == null ? null : dependents);
        }
    }

    /** A file of a multi-file step: what its restore puts back ({@code sha256} null and {@code created}: removed). */
    record FileJson(String path, String sha256, boolean created) {
    }

    /**
     * The steps a rollback of a batch or deployment must cover (issue 16): every step whose file holds its rewrite,
     * whatever state the journal gives it (an interrupted step left {@code written} counts), and every step the journal
     * says is changed, caught mid-way or in conflict, so that the restorer either restores it or names why not.
     */
    static List<StoredStep> changed(List<StoredStep> steps, java.util.function.Function<io.fleetshell.engine.inventory.AgentId,
            io.fleetshell.engine.host.Host> hosts) {
        return steps.stream().filter(s -> s.state().changed() || s.state() == StepState.WRITING || s.state() == StepState.WRITTEN
                || s.state() == StepState.RESTORING || s.state() == StepState.CONFLICT || holdsRewrite(s, hosts.apply(s.agent()))).toList();
    }

    /** Whether a file of the step holds its rewrite, read on the step's machine (over ssh for a remote one). */
    private static boolean holdsRewrite(StoredStep step, io.fleetshell.engine.host.Host host) {
        if (step.state() == StepState.PENDING || step.state() == StepState.DRIFTED) {
            return false; // never written by this deployment: a file equal to the rewrite got there some other way
        }
        try {
            for (var file : step.files().stream().filter(f -> !f.uses()).toList()) {
                byte[] bytes = io.fleetshell.engine.rollout.AtomicFiles.readIfExists(host, file.file(), file.realPath());
                if (bytes != null && io.fleetshell.engine.Checksums.sha256(bytes).equals(file.afterSha256())) {
                    return true;
                }
            }
            return false;
        } catch (FleetshellException e) {
            return true; // unreadable or moved: let the restorer try and say what it found
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
