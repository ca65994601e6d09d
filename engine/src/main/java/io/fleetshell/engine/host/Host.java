package io.fleetshell.engine.host;

import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.StartedProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One machine of the fleet as the engine reaches it: where its processes run and its files are read and written.
 * {@link LocalHost} is this computer; {@link SshHost} is a remote machine reached through the system's OpenSSH
 * client. Paths are the host's own (absolute, POSIX). Commands and rollouts never ask which one they have: they get
 * the machine's Host from {@link Hosts} and call it. Every failure to reach a remote host is an {@link IOException}
 * (or a {@link CannotStartException} for a process) whose message names the host, what was tried and ssh's error line.
 */
public sealed interface Host permits LocalHost, SshHost {

    /** The machine's name ({@code pc2}), or {@code local} for this computer without a machine. */
    String name();

    /** How the host is reached, for messages: {@code this computer} or {@code deploy@10.0.0.12:22}. */
    String describe();

    /**
     * Where something ran, for the end of a message: {@code " on machine pc2 (deploy@10.0.0.12:22)"} over ssh, nothing on
     * this computer ({@link LocalHost}).
     */
    default String onMachine() {
        return " on machine %s (%s)".formatted(name(), describe());
    }

    /**
     * Runs {@code run} on the host to its end or its timeout, with its argument list, working directory,
     * environment, stdin and output bounds. On a timeout or an interrupt the process group is killed there.
     *
     * @throws CannotStartException when the program or the directory does not exist there, or the host cannot be
     *                              reached (nothing ran)
     */
    ProcessResult run(ProcessRun run) throws CannotStartException, InterruptedException;

    /** {@link #run(ProcessRun)} with stdout going to {@code reader} as it is written ({@link ProcessRun#run(ProcessRun.StdoutReader)}). */
    <T> ProcessRun.Streamed<T> run(ProcessRun run, ProcessRun.StdoutReader<T> reader) throws CannotStartException, InterruptedException;

    /**
     * Starts {@code run} on the host and returns at once; stopping the returned process stops the process group
     * on the host (on a remote one through the run's own session, {@link ProcessRun.Lifeline}).
     */
    StartedProcess start(ProcessRun run) throws CannotStartException;

    /**
     * The bytes of a regular file, opened without following a symlink.
     *
     * @throws IOException when it does not exist ({@link java.nio.file.NoSuchFileException}), is not a regular file,
     *                     is larger than {@code limit}, or the host cannot be reached
     */
    byte[] read(Path file, long limit) throws IOException;

    /**
     * The bytes of a regular file that must still resolve to {@code expectedReal} (its directory's real path and its
     * own name; itself not a symlink), opened without following a symlink; null when nothing is there.
     *
     * @throws io.fleetshell.engine.FleetshellException {@code PATH_ESCAPES_ROOT} when it resolves elsewhere now
     */
    byte[] readContained(Path file, Path expectedReal, long limit) throws IOException;

    /** The names in a directory (files, links and directories; not recursive); empty when it does not exist. */
    java.util.List<String> list(Path directory) throws IOException;

    /** What the path is (not following a symlink), or empty when nothing is there. */
    Optional<FileStat> stat(Path path) throws IOException;

    /**
     * {@link #stat} of many paths at once (one round trip to a remote host), with whether fleetshell's user may read
     * each; a path with nothing there maps to empty.
     */
    java.util.Map<Path, Optional<Found>> statAll(java.util.Collection<Path> paths) throws IOException;

    /**
     * {@link #statAll} of {@code file} and {@code root}, and the file's bytes when it may be read as a fleet's script: not
     * a symlink, its directory's real path inside the root's, read as it still resolves so ({@link #readContained}); one
     * round trip to a remote host. The caller tells the refusals apart from the stats.
     *
     * @throws IOException when the file is larger than {@code limit}, not a regular file, not readable, or the host
     *                     cannot be reached
     */
    default Under readUnder(Path file, Path root, long limit) throws IOException {
        java.util.Map<Path, Optional<Found>> found = statAll(java.util.List.of(root, file));
        Under under = new Under(found.get(file), found.get(root), null);
        return under.readable() ? new Under(under.file(), under.root(), readContained(file, under.file().get().real(), limit)) : under;
    }

    /**
     * What {@link #readUnder} found.
     *
     * @param file  what is at the file
     * @param root  what is at the root
     * @param bytes the file's bytes, or null when it is not {@link #readable()} or was gone when read
     */
    record Under(Optional<Found> file, Optional<Found> root, byte[] bytes) {
        /** Not a symlink, and its directory resolves inside the root (which exists). */
        public boolean readable() {
            return file.filter(f -> f.stat().type() != FileStat.Type.SYMLINK && f.real() != null).isPresent() && root.filter(r -> r.real() != null).isPresent()
                    && file.get().real().getParent().startsWith(root.get().real());
        }
    }

    /**
     * The regular files and symlinks below {@code root}, not descending into hidden directories or those named in
     * {@code skipped}, nor following symlinked directories.
     */
    java.util.List<Path> files(Path root, java.util.Set<String> skipped) throws IOException;

    /** True when something (a dangling symlink included) is at {@code path}. */
    default boolean exists(Path path) throws IOException {
        return stat(path).isPresent();
    }

    /**
     * The real path of {@code path}, every symlink resolved, as the host sees it.
     *
     * @throws java.nio.file.NoSuchFileException when it does not exist
     */
    Path realPath(Path path) throws IOException;

    /**
     * Replaces {@code target} with {@code content}, never half done: {@code temp} (in the same directory; a leftover
     * there is removed, never written through) is created new, written, forced to disk, given the mode, owner and
     * group, and renamed over the target; then the directory is forced. The target is read back afterwards over the
     * same connection and its sha256 compared with the content's.
     *
     * @param expectedReal the real path the target must still have (its directory not swapped for a symlink, itself
     *                     not a symlink), checked before the write and right before the rename; null: not checked
     * @param keep         mode, owner and group to give the file; a null part is taken from the current target
     * @throws IOException when any part fails; the target is then unchanged and the temp removed
     */
    Written write(Path target, Path temp, byte[] content, Path expectedReal, Ownership keep) throws IOException;

    /**
     * Deletes a file that must still resolve to {@code expectedReal} (as {@link #readContained}), then forces its
     * directory; false when nothing was there.
     */
    boolean deleteContained(Path file, Path expectedReal) throws IOException;

    /** Deletes a file (not a directory); false when nothing was there. */
    boolean delete(Path file) throws IOException;

    /** Creates a directory and its parents (mode 0700 for the ones created) unless it exists. */
    void createDirectories(Path directory) throws IOException;

    /**
     * Writes a working file of fleetshell's own (a proof's hidden sibling of a script): whatever is at {@code file} (a
     * leftover, or a planted symlink) is removed first, and the file is created new without following a link. Not
     * atomic and not forced to disk: it is loaded and removed within one command.
     */
    void writeFresh(Path file, byte[] content) throws IOException;

    /**
     * What a proof does first on the host, in one round trip to a remote one: creates the {@link #stateDirectory} if need
     * be and resolves it, lists the names in {@code sibling}'s directory that start with {@code prefix} (what a killed
     * fleetshell left beside the script, for {@link io.fleetshell.engine.process.Leftovers#sweepSiblings}), then writes
     * the hidden sibling as {@link #writeFresh} does.
     */
    Prepared prepareProof(Path sibling, byte[] content, String prefix) throws IOException;

    /**
     * What {@link #prepareProof} found.
     *
     * @param stateDirectory the host's state directory, resolved
     * @param siblings       the names with the prefix beside the sibling before it was written, sorted
     */
    record Prepared(Path stateDirectory, java.util.List<String> siblings) {
        public Prepared {
            siblings = java.util.List.copyOf(siblings);
        }
    }

    /**
     * Copies the tree {@code from} into {@code to} (created new; its parent must exist) in one operation: directories
     * and regular files, not {@code __pycache__} nor {@code .git}, symlinks not followed nor copied; then writes each of
     * {@code replaced} (a path relative to {@code to}) with its bytes. A proof's copy of a fleet root with the rewrite in
     * place (the agent's {@code test_command} runs there). On failure nothing of {@code to} is left.
     */
    void copyTree(Path from, Path to, java.util.Map<String, byte[]> replaced) throws IOException;

    /** Deletes a file or a directory tree (children first, never following a link); false when nothing was there. */
    boolean deleteTree(Path path) throws IOException;

    /**
     * {@link #deleteTree} of something fleetshell made there (a proof's sibling or copy, shipped classes), quietly, also
     * while the thread is interrupted (Ctrl-C): the interrupt is set aside for the deletion and restored after it.
     * Whatever stays (the host went away) carries this process's mark in its name, for the next sweep.
     */
    default void deleteOwnQuietly(Path path) {
        boolean interrupted = Thread.interrupted();
        try {
            deleteTree(path);
        } catch (IOException | RuntimeException e) {
            // the sweep removes it: its name says its owner
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Where fleetshell's temporary files on the host go (their names say their owner, see
     * {@link io.fleetshell.engine.process.Leftovers}): this computer's {@code java.io.tmpdir}; on a remote host
     * {@code tmp} under its {@link #stateDirectory}, created on first use.
     */
    Path temporaryDirectory() throws IOException;

    /**
     * Where fleetshell keeps its own files on the host (remote agents' pid files and logs); on this computer
     * {@code FLEETSHELL_HOME}.
     */
    Path stateDirectory() throws IOException;

    /**
     * What {@link #statAll} found at a path.
     *
     * @param stat     what is there
     * @param readable fleetshell's user may read it
     * @param real     its real path, every symlink resolved, or null when a symlink on the way dangles
     */
    record Found(FileStat stat, boolean readable, Path real) {
    }

    /**
     * Mode, owner and group to give a written file.
     *
     * @param mode  permission bits (0644), or null
     * @param owner user name, or null
     * @param group group name, or null
     */
    record Ownership(Integer mode, String owner, String group) {
        public static final Ownership TARGET = new Ownership(null, null, null);
    }

    /**
     * A finished write.
     *
     * @param sha256  of the target as read back after the rename (equal to the content's, else the write failed)
     * @param notKept why the owner or group could not be given (fleetshell may not give a file away), or null
     */
    record Written(String sha256, String notKept) {
    }
}
