package io.fleetshell.shell.commands;

import io.fleetshell.engine.inventory.Inventory;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.process.Leftovers;
import io.fleetshell.engine.python.proof.ProofSite;
import io.fleetshell.shell.ShellSession;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the shell meets {@link Leftovers}: from its start on, this process's child groups are recorded under the
 * home, and at start and in {@code deploy recover} what a killed fleetshell left (its child groups, its temporary
 * files, its hidden proof siblings beside the agents' scripts) is killed and removed; {@code deploy recover} also
 * sweeps every machine's host (a remote one over ssh), which the start does not, to start without a connection.
 */
@Component
public class LeftoverSweep {

    private final ShellSession session;

    public LeftoverSweep(ShellSession session) {
        this.session = session;
    }

    /**
     * Records this process's children from now on, then sweeps (unless the command is {@code deploy recover}, which
     * sweeps itself and reports it); returns the sentence to show, or null.
     */
    public String atStart(List<String> argv) {
        Leftovers.recordIn(session.home().children());
        if (argv.size() >= 2 && argv.get(0).equals("deploy") && argv.get(1).equals("recover")) {
            return null;
        }
        try {
            return sweepHere().startNote();
        } catch (RuntimeException e) {
            return null; // an unreadable history must not stop the shell from starting; deploy recover says why
        }
    }

    /** Kills and removes what processes that are gone left behind on this computer. */
    public Leftovers.Swept sweepHere() {
        List<Path> directories = session.inventoryStore().scriptDirectories();
        return Leftovers.sweep(session.home().children(), Path.of(System.getProperty("java.io.tmpdir")), directories);
    }

    /**
     * {@link #sweepHere}, then on every machine of the inventory through its host (a remote one over ssh) what a
     * killed fleetshell's proof left there: hidden siblings beside its agents' scripts and copies of the fleet root in
     * its temporary directory. A host that cannot be reached now keeps its leftovers for the next {@code deploy recover}
     * (each proof also removes a killed one's siblings of the file it proves).
     */
    public Leftovers.Swept sweep() {
        Leftovers.Swept here = sweepHere();
        List<Path> removed = new ArrayList<>(here.removed());
        Inventory inventory = session.inventoryStore().inventory();
        for (Machine machine : inventory.machines()) {
            List<Path> directories = inventory.agents().stream().filter(a -> a.machine().equals(machine.name()) && a.script().path() != null)
                    .map(a -> a.script().path().toAbsolutePath().getParent()).distinct().toList();
            try {
                ProofSite.sweep(session.hosts().of(machine), directories).stream().filter(p -> !removed.contains(p)).forEach(removed::add);
            } catch (IOException | RuntimeException e) {
                // unreachable now: its leftovers wait for the next sweep, and change no agent meanwhile
            }
        }
        return new Leftovers.Swept(here.killed(), removed);
    }
}
