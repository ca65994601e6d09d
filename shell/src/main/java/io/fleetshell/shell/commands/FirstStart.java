package io.fleetshell.shell.commands;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.rollout.Deployment;
import io.fleetshell.engine.rollout.Recovery;
import io.fleetshell.history.DeploymentStore;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Host;
import io.fleetshell.shell.cli.ExitStatuses;
import io.fleetshell.shell.cli.Output;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.function.Function;

/**
 * What the REPL shows first: on a home with no history, it installs and loads the demo fleet and
 * says so, so the first screen shows a fleet; otherwise one line on the fleet loaded, and an offer to
 * recover a deployment whose process died.
 */
@Component
public class FirstStart {

    private final ShellSession session;

    public FirstStart(ShellSession session) {
        this.session = session;
    }

    /** @param run runs one command from its words and returns its exit status */
    public void greet(Function<List<String>, Integer> run, Output output) {
        Inventory inventory;
        boolean noHistory;
        try {
            inventory = session.inventoryStore().inventory();
            noHistory = session.events().recent(null, 1).isEmpty();
        } catch (RuntimeException e) {
            output.error(ExitStatuses.of(e).message());
            return;
        }
        if (inventory.isEmpty() && noHistory) {
            output.info("First start with an empty history: installing the bundled demo fleet (demo init).");
            if (run.apply(List.of("demo", "init")) == ExitStatuses.OK) {
                run.apply(List.of("inventory", "list"));
                output.info("This is the demo fleet. Load your own with: inventory load path/to/startup_config.yaml");
            }
            return;
        }
        if (inventory.isEmpty()) {
            output.info("The inventory is empty: demo init loads the demo fleet, inventory load FILE loads yours.");
            return;
        }
        long machines = inventory.agents().stream().map(Agent::machine).distinct().count();
        output.info("Fleet: %d agents on %d machine%s (inventory list shows them).".formatted(
                inventory.agents().size(), machines, machines == 1 ? "" : "s"));
        offerRecovery(run, output);
    }

    /**
     * A deployment whose process died (kill -9, power loss) leaves agents mid-change and the fleet locked:
     * say so first, and offer to settle it now.
     */
    private void offerRecovery(Function<List<String>, Integer> run, Output output) {
        List<Deployment> interrupted;
        try {
            interrupted = new Recovery(new DeploymentStore(session.database()), Host.name()).interrupted();
        } catch (RuntimeException e) {
            output.error(ExitStatuses.of(e).message());
            return;
        }
        if (interrupted.isEmpty()) {
            return;
        }
        for (Deployment d : interrupted) {
            output.warn("deployment %d (%s, started %s by pid %d on %s) was interrupted: its agents may be mid-change and the fleet is locked."
                    .formatted(d.id(), d.pattern(), DeployCommands.WHEN.format(d.createdAt()), d.pid(), d.host()));
        }
        String answer = session.ask("Recover now with deploy recover (restores every agent caught mid-change)? [y/N] ").orElse("");
        if (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes")) {
            run.apply(List.of("deploy", "recover"));
        } else {
            output.info("Not recovered. deploy recover settles it; deploy status shows it.");
        }
    }
}
