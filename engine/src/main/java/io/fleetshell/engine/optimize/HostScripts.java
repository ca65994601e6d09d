package io.fleetshell.engine.optimize;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.host.FileStat;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.inventory.Machine;

import java.io.IOException;
import java.nio.file.Path;

/** How the optimizers read an agent's script on its machine's host, contained in the fleet root there. */
final class HostScripts {

    private HostScripts() {
    }

    /**
     * The script's bytes, read on the machine's host: a regular file (not a symlink) whose directory resolves inside the
     * fleet root there, read as it still resolves so (as {@link SafeFiles#readScript(Path, Path)} reads one here).
     */
    static byte[] read(Host host, Machine machine, Path script) {
        Path root = machine.fleetRoot();
        try {
            // the checks below and the read in one round trip: the host reads only what passes them (Host.Under.readable)
            Host.Under under = host.readUnder(script, root, SafeFiles.SCRIPT_LIMIT);
            Host.Found file = under.file().orElseThrow(() -> new FleetshellException(ErrorCode.FILE_NOT_FOUND,
                    "cannot read %s: it does not exist%s. Fix script_path in the config, then inventory refresh".formatted(script, where(host))));
            Host.Found fleetRoot = under.root().filter(f -> f.real() != null).orElseThrow(() -> new FleetshellException(ErrorCode.FILE_NOT_FOUND,
                    "the fleet root %s does not exist%s: inventory refresh, or fix root: in settings.yaml".formatted(root, where(host))));
            if (file.stat().type() == FileStat.Type.SYMLINK) {
                throw new FleetshellException(ErrorCode.PATH_ESCAPES_ROOT, ("%s is a symbolic link (to %s): fleetshell never reads or writes a "
                        + "script through a link, since writing would replace the link and reading may leave the fleet root. Refused, "
                        + "nothing was written. Point script_path at the file itself").formatted(script, file.real()));
            }
            Path real = file.real() == null ? script : file.real();
            if (!real.getParent().startsWith(fleetRoot.real())) {
                throw new FleetshellException(ErrorCode.PATH_ESCAPES_ROOT, ("%s resolves to %s, outside the fleet root %s (a directory on the "
                        + "way is a symlink out of the root): refused, nothing was read or written. Replace the symlink with the directory it "
                        + "stands for").formatted(script, real, fleetRoot.real()));
            }
            byte[] bytes = under.bytes();
            if (bytes == null) {
                throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot read %s: it is gone%s".formatted(script, where(host)));
            }
            return bytes;
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, e.getMessage(), e);
        }
    }

    private static String where(Host host) {
        return " on machine %s (%s)".formatted(host.name(), host.describe());
    }
}
