package io.fleetshell.engine.inventory;

import java.nio.file.Path;

/**
 * A startup config file the inventory was loaded from, with the options it was loaded with, so that
 * {@code inventory refresh} can read it again the same way.
 *
 * @param file    the config file (absolute, normalized)
 * @param machine the machine name given with {@code --machine}, or null to infer it
 * @param root    the fleet root given with {@code --root}, or null to infer it
 * @param onMachine the file is on {@code machine}, read through its host ({@code inventory load pc2:/srv/fleet/config.yaml});
 *                  false: on this computer
 */
public record ConfigSource(Path file, String machine, Path root, boolean onMachine) {

    public ConfigSource {
        if (onMachine && machine == null) {
            throw new IllegalArgumentException("a config on a machine needs the machine's name");
        }
    }

    /** A config file on this computer. */
    public ConfigSource(Path file, String machine, Path root) {
        this(file, machine, root, false);
    }

    /** How the user names it: {@code pc2:/srv/fleet/config.yaml} for a file on a machine, else its path. */
    public String describe() {
        return onMachine ? machine + ":" + file : file.toString();
    }
}
