package io.fleetshell.shell.commands;

import io.fleetshell.engine.process.Leftovers;
import io.fleetshell.shell.ShellSession;
import org.springframework.stereotype.Component;

import java.nio.file.Path;
import java.util.List;

/**
 * Where the shell meets {@link Leftovers}: from its start on, this process's child groups are recorded under the
 * home, and at start and in {@code deploy recover} what a killed fleetshell left (its child groups, its temporary
 * files, its hidden proof siblings beside the agents' scripts) is killed and removed.
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
            return sweep().startNote();
        } catch (RuntimeException e) {
            return null; // an unreadable history must not stop the shell from starting; deploy recover says why
        }
    }

    /** Kills and removes what processes that are gone left behind. */
    public Leftovers.Swept sweep() {
        List<Path> directories = session.inventoryStore().scriptDirectories();
        return Leftovers.sweep(session.home().children(), Path.of(System.getProperty("java.io.tmpdir")), directories);
    }
}
