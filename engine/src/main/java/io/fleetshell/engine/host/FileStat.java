package io.fleetshell.engine.host;

import java.nio.file.Path;
import java.time.Instant;

/**
 * What is at a path of a host, read without following a symlink.
 *
 * @param path  the path as asked
 * @param type  what it is
 * @param size  bytes
 * @param mode  permission bits (0644)
 * @param owner the owning user's name (its number when it has no name)
 * @param group the owning group's name (its number when it has no name)
 * @param mtime last modification
 */
public record FileStat(Path path, Type type, long size, int mode, String owner, String group, Instant mtime) {

    /** The kinds of file a fleet cares to tell apart. */
    public enum Type {
        REGULAR, DIRECTORY, SYMLINK, OTHER
    }

    public boolean regular() {
        return type == Type.REGULAR;
    }
}
