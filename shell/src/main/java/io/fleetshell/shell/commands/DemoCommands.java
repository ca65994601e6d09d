package io.fleetshell.shell.commands;

import io.fleetshell.engine.demo.DemoFleet;
import io.fleetshell.shell.ShellSession;
import io.fleetshell.shell.cli.Journaled;
import io.fleetshell.shell.cli.Output;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.stereotype.Component;

import java.nio.file.Path;

/** {@code demo init}: the bundled demo fleet, copied out and loaded, so every command has a fleet to work on. */
@Component
public class DemoCommands {

    private final ShellSession session;
    private final InventoryCommands inventory;

    public DemoCommands(ShellSession session, InventoryCommands inventory) {
        this.session = session;
        this.inventory = inventory;
    }

    @Journaled
    @Command(name = {"demo", "init"}, group = "Demo", help = "demo init [DIR] [--reset]",
            completionProvider = "pathCompletion",
            description = "Copy the bundled demo fleet to DIR and load its inventory. Stdlib-only Python agents with real "
                    + "/health and /metrics on two machines, mainpc and pc2; DIR defaults to FLEETSHELL_HOME/demo.")
    public void init(@Argument(index = 0) String dir,
                     @Option(longName = "reset", description = "restore the demo's original files if DIR already holds it") boolean reset) {
        Output out = session.output();
        Path target = dir.isBlank() ? session.home().demo() : Path.of(dir);
        DemoFleet.Installed installed = new DemoFleet().install(target, reset);
        out.println(installed.copied() > 0
                ? "Demo fleet copied to %s (%d files).".formatted(installed.dir(), installed.copied())
                : "Demo fleet already at %s; its files were left as they are (--reset restores them).".formatted(installed.dir()));
        inventory.apply(DemoFleet.configs(installed.dir()), false, "loaded");
    }
}
