package io.fleetshell.engine.rollout;

import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.host.FileStat;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * Writes that are never half done and never leave the fleet root: the real path of the target's directory is
 * checked against the one planned right before the write and again right before the rename; the content goes to
 * a temporary file created fresh in that directory (never through a link), is forced to disk, takes the target's
 * (or the original's) permissions, owner and group, and is renamed over the target; then the directory is forced
 * so the rename itself survives a power loss. A reader sees the old file or the new one, never a mix. Fails
 * rather than follow a symlink or write across file systems.
 *
 * <p>The write itself is the {@link Host}'s (this computer's {@link LocalHost} or a remote one over its ssh connection):
 * one implementation per place, and on both the content is read back and checked by sha256 before the write counts as
 * done. The overloads without a host write on this computer.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * {@link #write(Path, Path, Path, byte[], DeploymentJournal.FileMeta)} on {@code host}.
     *
     * @return what could not be kept (an owner fleetshell may not give away), or null
     */
    public static String write(Host host, Path target, Path expectedReal, Path temp, byte[] content, DeploymentJournal.FileMeta keep)
            throws IOException {
        return host.write(target, temp, content, expectedReal, keep == null ? Host.Ownership.TARGET
                : new Host.Ownership(keep.mode(), keep.owner(), keep.group())).notKept();
    }

    /** {@link #remove(Path, Path)} on {@code host}. */
    public static void remove(Host host, Path target, Path expectedReal) throws IOException {
        host.deleteContained(target, expectedReal);
    }

    /** {@link #stat(Path)} of a file on {@code host}. */
    public static DeploymentJournal.FileMeta stat(Host host, Path file) throws IOException {
        if (host instanceof LocalHost) {
            return stat(file);
        }
        Host.Found found = host.statAll(java.util.List.of(file)).get(file)
                .orElseThrow(() -> new java.nio.file.NoSuchFileException(file + " on machine " + host.name()));
        Path parent = found.real() == null ? file.getParent() : found.real().getParent();
        FileStat stat = found.stat();
        return new DeploymentJournal.FileMeta(stat.mode(), stat.mtime(), stat.owner(), stat.group(), parent.resolve(file.getFileName()));
    }

    /**
     * The file's bytes (a regular file that still resolves to {@code expectedReal}, read without following a link,
     * bounded), or null when it does not exist.
     *
     * @throws io.fleetshell.engine.FleetshellException {@code PATH_ESCAPES_ROOT} when it resolves elsewhere now, or
     *                                                  {@code FILE_NOT_FOUND} when the host cannot be read
     */
    public static byte[] readIfExists(Host host, Path file, Path expectedReal) {
        if (host instanceof LocalHost) {
            SafeFiles.unchanged(file, expectedReal);
            return readIfExists(file);
        }
        try {
            return host.readContained(file, expectedReal, SafeFiles.SCRIPT_LIMIT);
        } catch (IOException e) {
            throw new io.fleetshell.engine.FleetshellException(io.fleetshell.engine.ErrorCode.FILE_NOT_FOUND,
                    "cannot read %s on machine %s: %s".formatted(file, host.name(), e.getMessage()), e);
        }
    }

    /**
     * Replaces {@code target} with {@code content} through {@code temp} (same directory), keeping the target's mode,
     * owner and group.
     *
     * @return what could not be kept (an owner fleetshell may not give away), or null
     */
    public static String write(Path target, Path expectedReal, Path temp, byte[] content) throws IOException {
        return write(target, expectedReal, temp, content, null);
    }

    /**
     * Replaces {@code target} with {@code content} through {@code temp} (same directory).
     *
     * @param expectedReal the real path the target had when it was planned (or backed up): the write is refused when
     *                     it resolves elsewhere now (a directory swapped for a symlink) or the target is a symlink
     * @param keep         mode, owner and group to give the new file (a restored original's); null: the target's own
     * @return what could not be kept (an owner fleetshell may not give away), or null
     * @throws io.fleetshell.engine.FleetshellException {@code PATH_ESCAPES_ROOT} when the containment check fails
     */
    public static String write(Path target, Path expectedReal, Path temp, byte[] content, DeploymentJournal.FileMeta keep)
            throws IOException {
        return write(new LocalHost("local", target.getRoot()), target, expectedReal, temp, content, keep);
    }

    /**
     * Removes {@code target} (a file a step created, on its rollback) when it still resolves to the real path planned,
     * then forces the directory so the removal survives a power loss. A target already gone is not an error.
     *
     * @throws io.fleetshell.engine.FleetshellException {@code PATH_ESCAPES_ROOT} when the containment check fails
     */
    public static void remove(Path target, Path expectedReal) throws IOException {
        new LocalHost("local", target.getRoot()).deleteContained(target, expectedReal);
    }

    /** Mode, mtime, owner, group and real path of a file, read without following a symlink. */
    public static DeploymentJournal.FileMeta stat(Path file) throws IOException {
        String owner = null;
        String group = null;
        try {
            PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            owner = attributes.owner().getName();
            group = attributes.group().getName();
        } catch (UnsupportedOperationException e) {
            // no owners on this file system
        }
        return new DeploymentJournal.FileMeta(mode(file), mtime(file), owner, group, SafeFiles.realPathOf(file));
    }

    /** The file's permission bits as a number (e.g. 0644), or null where the file system has none. */
    public static Integer mode(Path file) throws IOException {
        try {
            String text = PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
            int bits = 0;
            for (int i = 0; i < 9; i++) {
                bits = bits << 1 | (text.charAt(i) == '-' ? 0 : 1);
            }
            return bits;
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    public static Instant mtime(Path file) throws IOException {
        return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
    }

    /** The file's bytes (a regular file, read without following a link, bounded), or null when it does not exist. */
    public static byte[] readIfExists(Path file) {
        return SafeFiles.readScriptIfExists(file);
    }
}
