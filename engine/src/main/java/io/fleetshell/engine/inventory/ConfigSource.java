package io.fleetshell.engine.inventory;

import java.nio.file.Path;

/**
 * A startup config file the inventory was loaded from, with the options it was loaded with, so that
 * {@code inventory refresh} can read it again the same way.
 *
 * @param file    the config file (absolute, normalized)
 * @param machine the machine name given with {@code --machine}, or null to infer it
 * @param root    the fleet root given with {@code --root}, or null to infer it
 */
public record ConfigSource(Path file, String machine, Path root) {
}
