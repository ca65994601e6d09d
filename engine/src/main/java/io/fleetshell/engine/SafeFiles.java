package io.fleetshell.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Containment and bounds at the moment a fleet file is read or written, not only when the inventory loads: a
 * directory swapped for a symlink out of the fleet root, a script replaced by a symlink, a FIFO or a device, or a
 * file too large to be a script are refused before a byte moves. The real path of the file's directory is resolved
 * right before the operation and compared with the root (or with the real path a plan recorded); the file itself
 * is examined and opened without following a symlink. Java cannot open a file with {@code O_NONBLOCK}, so a FIFO is
 * refused by its attributes, read without following links, just before the open.
 */
public final class SafeFiles {

    /** The largest agent script fleetshell reads: a generated 16 MB module is still far from it. */
    public static final long SCRIPT_LIMIT = 64L * 1024 * 1024;

    private SafeFiles() {
    }

    /**
     * The real path of {@code file} inside {@code root}: its directory's real path resolved now, the file's own name
     * kept (never followed).
     *
     * @throws FleetshellException {@link ErrorCode#PATH_ESCAPES_ROOT} when the directory resolves outside the root's
     *                             real path, or the file is a symlink
     */
    public static Path contained(Path root, Path file) {
        Path realRoot = real(root, "the fleet root " + root);
        Path real = realPathOf(file);
        if (!real.getParent().startsWith(realRoot)) {
            throw new FleetshellException(ErrorCode.PATH_ESCAPES_ROOT, ("%s resolves to %s, outside the fleet root %s (a directory "
                    + "on the way is a symlink out of the root): refused, nothing was read or written. Replace the symlink with "
                    + "the directory it stands for").formatted(file, real, realRoot));
        }
        refuseSymlink(file);
        return real;
    }

    /**
     * Checks that {@code file} still resolves to {@code expected}, the real path recorded when it was planned or
     * backed up, and is not a symlink; returns the real path.
     *
     * @throws FleetshellException {@link ErrorCode#PATH_ESCAPES_ROOT} when it resolves elsewhere now
     */
    public static Path unchanged(Path file, Path expected) {
        Path real = realPathOf(file);
        if (!real.equals(expected)) {
            throw new FleetshellException(ErrorCode.PATH_ESCAPES_ROOT, ("%s now resolves to %s, not to %s as when it was planned "
                    + "(a directory on the way was replaced by a symlink): refused, nothing was written. Put the directory "
                    + "back, then deploy resume or rollback").formatted(file, real, expected));
        }
        refuseSymlink(file);
        return real;
    }

    /**
     * The file's real directory joined with its own name, never following the file itself. A file whose
     * directory does not exist resolves as far as it exists.
     */
    public static Path realPathOf(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        try {
            return parent.toRealPath().resolve(absolute.getFileName());
        } catch (IOException e) {
            return absolute;
        }
    }

    /**
     * Reads an agent script: a regular file (not a symlink, FIFO, device or directory) of at most {@link #SCRIPT_LIMIT}
     * bytes, opened without following a symlink.
     *
     * @throws FleetshellException {@link ErrorCode#FILE_NOT_FOUND} naming the file and what it is instead
     */
    public static byte[] readScript(Path file) {
        return read(file, SCRIPT_LIMIT, "a script");
    }

    /** {@link #readScript} after checking the file's directory resolves inside {@code root}. */
    public static byte[] readScript(Path root, Path file) {
        contained(root, file);
        return readScript(file);
    }

    /** Like {@link #readScript}, but null when the file does not exist. */
    public static byte[] readScriptIfExists(Path file) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return readScript(file);
        } catch (FleetshellException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Reads a regular file of at most {@code limit} bytes without following a symlink.
     *
     * @param what what the file is, for the message ("a script", "a playbook")
     */
    public static byte[] read(Path file, long limit, String what) {
        try {
            requireRegular(file, what);
            try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                long size = channel.size();
                if (size > limit) {
                    throw tooLarge(file, size, limit, what);
                }
                ByteBuffer buffer = ByteBuffer.allocate((int) size + 1);
                while (channel.read(buffer) > 0) {
                    if (!buffer.hasRemaining()) {
                        // it grew while being read: read what it holds now, within the limit
                        if (buffer.capacity() > limit) {
                            throw tooLarge(file, buffer.capacity(), limit, what);
                        }
                        ByteBuffer larger = ByteBuffer.allocate((int) Math.min(limit + 1, buffer.capacity() * 2L));
                        buffer.flip();
                        larger.put(buffer);
                        buffer = larger;
                    }
                }
                byte[] bytes = new byte[buffer.position()];
                buffer.flip().get(bytes);
                return bytes;
            }
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, "cannot read %s: %s".formatted(file, describe(e)), e);
        }
    }

    /**
     * Refuses anything but a regular file, judged by its own attributes (a symlink is not followed).
     *
     * @throws FleetshellException {@link ErrorCode#FILE_NOT_FOUND} saying what the file is instead
     */
    public static void requireRegular(Path file, String what) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, ("%s is %s, not a regular file: fleetshell reads %s only from a "
                    + "regular file, so it refused it before reading. Point script_path at the file itself")
                    .formatted(file, kind(file, attributes), what));
        }
    }

    /** What a file is, in words: "a symbolic link to X", "a directory", "a FIFO (named pipe)", "a device or socket". */
    public static String kind(Path file, BasicFileAttributes attributes) {
        if (attributes.isSymbolicLink()) {
            try {
                return "a symbolic link to " + Files.readSymbolicLink(file);
            } catch (IOException e) {
                return "a symbolic link";
            }
        }
        if (attributes.isDirectory()) {
            return "a directory";
        }
        try {
            Object type = Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int format = ((Integer) type) & 0170000;
            return switch (format) {
                case 0010000 -> "a FIFO (named pipe)";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "not a regular file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a device, FIFO or socket";
        }
    }

    /**
     * Writes a hidden working file of fleetshell's own beside a script (a proof's sibling): whatever is at that path
     * (a leftover, or a planted symlink) is removed first, and the file is created new without following a link.
     */
    public static void writeFresh(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        try (SeekableByteChannel channel = Files.newByteChannel(file, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    private static void refuseSymlink(Path file) {
        if (Files.isSymbolicLink(file)) {
            String target;
            try {
                target = Files.readSymbolicLink(file).toString();
            } catch (IOException e) {
                target = "?";
            }
            throw new FleetshellException(ErrorCode.PATH_ESCAPES_ROOT, ("%s is a symbolic link (to %s): fleetshell never reads or "
                    + "writes a script through a link, since writing would replace the link and reading may leave the fleet "
                    + "root. Refused, nothing was written. Point script_path at the file itself").formatted(file, target));
        }
    }

    private static Path real(Path path, String what) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.FILE_NOT_FOUND, what + " cannot be resolved: " + describe(e), e);
        }
    }

    private static FleetshellException tooLarge(Path file, long size, long limit, String what) {
        return new FleetshellException(ErrorCode.FILE_NOT_FOUND, "%s is %d bytes, more than the %d MB fleetshell reads as %s: refused"
                .formatted(file, size, limit / (1024 * 1024), what));
    }

    /** An I/O error in words: NoSuchFileException's message is only the path. */
    public static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "no such file";
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.FileSystemLoopException l -> "too many levels of symbolic links";
            default -> String.valueOf(e.getMessage());
        };
    }
}
