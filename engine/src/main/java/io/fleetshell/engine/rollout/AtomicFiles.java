package io.fleetshell.engine.rollout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;

/**
 * Writes that are never half done: the content goes to a temporary file in the target's directory, is
 * forced to disk, takes the target's permissions, and is renamed over the target; then the directory is
 * forced so the rename itself survives a power loss. A reader sees the old file or the new one, never
 * a mix. Fails rather than follow a symlink or write across file systems.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code content} through {@code temp} (same directory), keeping the target's mode. */
    public static void write(Path target, Path temp, byte[] content) throws IOException {
        Set<PosixFilePermission> mode = Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                ? Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS) : null;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        if (mode != null) {
            Files.setPosixFilePermissions(temp, mode);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        forceDirectory(target.getParent());
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

    /** The file's bytes, or null when it does not exist. */
    public static byte[] readIfExists(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    private static void forceDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open a directory for fsync; the rename is still atomic there.
            if (!(e instanceof java.nio.file.AccessDeniedException) && !"Is a directory".equals(e.getMessage())) {
                throw e;
            }
        }
    }
}
