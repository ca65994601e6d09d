package io.fleetshell.engine.java;

import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.process.Leftovers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The classes of successful Java builds, kept in a directory ({@code FLEETSHELL_HOME/cache/javac}) under the sha256
 * of everything that decides them: the compiler (its JDK's home and exact version), javac's options (a machine's
 * older release is one: {@code --release 17}), each source's
 * name and bytes, and each class path entry's bytes. A second {@code profile} or proof of the same sources therefore
 * compiles nothing (the classes are copied into the build's own directory), and a changed source, library or JDK
 * gives another key, never a stale entry. A failed build is not kept, so its errors always come from javac. Entries
 * appear by an atomic rename (two shells may share a home); the least recently used go once the directory holds more
 * than its limit; deleting the whole directory at any time is safe.
 *
 * <p>Measured (BENCHMARKS.md, "`profile` and `batch deploy`"): {@code profile KnowledgeIndexAgent --runs 1} at load
 * average 23-26 took 5.6-5.7 s of CPU (the shell and its JVM children) in a fresh home and 4.0-4.5 s in the same home
 * again, against 5.9-6.4 s both times before the cache; one compile costs 0.5-4.8 s there (see {@link JavaBuild}).
 */
public final class JavaBuildCache {

    /** The size the cache is trimmed to: a demo agent's classes are about 30 KB, a build with libraries' sources a few MB. */
    public static final long DEFAULT_LIMIT_BYTES = 64L * 1024 * 1024;
    private static final String VERSION = "fleetshell java build cache 1";
    private static final Pattern ENTRY = Pattern.compile("[0-9a-f]{64}");
    private static final String STAGE = ".stage";

    private final Path directory;
    private final long limitBytes;

    /**
     * @param directory  where the entries live; created on the first store
     * @param limitBytes the total size of the entries after a store, at most (the newest entry stays even when larger)
     */
    public JavaBuildCache(Path directory, long limitBytes) {
        this.directory = directory.toAbsolutePath().normalize();
        this.limitBytes = limitBytes;
    }

    /** A cache of {@link #DEFAULT_LIMIT_BYTES} in {@code directory}. */
    public static JavaBuildCache in(Path directory) {
        return new JavaBuildCache(directory, DEFAULT_LIMIT_BYTES);
    }

    public Path directory() {
        return directory;
    }

    /**
     * {@link JavaBuild#compile(Agent, Host, Path, byte[], Path, int)}, from the cache when the same build (for the same
     * {@code release}: it is one of javac's options) succeeded before.
     */
    public JavaBuild.Compiled compile(Agent agent, Host host, Path fleetRoot, byte[] source, Path workDir, int release) {
        return build(JavaBuild.plan(agent, host, fleetRoot, source, workDir, release));
    }

    /**
     * The classes of {@code ClassInitProbe} for Java {@code release}, compiled once per cache and release, copied into
     * {@code workDir/classes}.
     *
     * @throws IllegalStateException when the shipped source does not compile (a broken fleetshell build)
     */
    public Path classInitProbe(Path workDir, int release) {
        JavaBuild.Compiled probe = build(JavaBuild.classInitProbe(workDir, release));
        if (!probe.ok()) {
            throw new IllegalStateException("ClassInitProbe.java does not compile: " + String.join("; ", probe.errors()));
        }
        return probe.classes();
    }

    private JavaBuild.Compiled build(JavaBuild.Plan plan) {
        String key = key(plan);
        Path entry = directory.resolve(key);
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) && copyTree(entry, plan.classes())) {
            touch(entry);
            return new JavaBuild.Compiled(true, plan.classes(), plan.runtime(), List.of(), true);
        }
        JavaBuild.Compiled compiled = JavaBuild.run(plan);
        if (compiled.ok()) {
            store(plan.classes(), entry);
        }
        return compiled;
    }

    /** The sha256 of what decides a build's classes; its output directory does not. */
    static String key(JavaBuild.Plan plan) {
        MessageDigest digest = sha256();
        line(digest, VERSION);
        line(digest, "javac " + JavaBuild.compilerIdentity());
        plan.options().forEach(option -> line(digest, "option " + option));
        for (int i = 0; i < plan.sources().size(); i++) {
            line(digest, "source " + plan.names().get(i) + " " + contentDigest(plan.sources().get(i)));
        }
        for (int i = 0; i < plan.entries().size(); i++) {
            line(digest, "classpath " + plan.entries().get(i) + " " + contentDigest(plan.runtime().get(i + 1)));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A file's sha256; a directory's over its files' relative names and bytes; {@code missing} for nothing there. */
    private static String contentDigest(Path path) {
        if (Files.isRegularFile(path)) {
            MessageDigest digest = sha256();
            update(digest, path);
            return HexFormat.of().formatHex(digest.digest());
        }
        if (!Files.isDirectory(path)) {
            return "missing";
        }
        MessageDigest digest = sha256();
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                line(digest, path.relativize(file).toString());
                update(digest, file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, Path file) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void line(MessageDigest digest, String text) {
        digest.update((text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * Copies the classes into a staging directory named after this process (a killed shell's is removed by the
     * next trim) and renames it into place: a reader sees a whole entry or none. A cache that cannot be written
     * costs the next build a compile, nothing else.
     */
    private void store(Path classes, Path entry) {
        Path stage = null;
        try {
            Files.createDirectories(directory);
            stage = Files.createTempDirectory(directory, STAGE + Leftovers.mark());
            if (!copyTree(classes, stage)) {
                return;
            }
            try {
                Files.move(stage, entry, StandardCopyOption.ATOMIC_MOVE);
                stage = null;
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                return; // another shell stored the same build meanwhile
            } catch (IOException e) {
                if (Files.isDirectory(entry)) {
                    return; // a non-empty target: the same race, reported as another exception on some systems
                }
                throw e;
            }
            trim(entry);
        } catch (IOException | UncheckedIOException e) {
            // an unwritable home: builds still work, uncached
        } finally {
            if (stage != null) {
                Leftovers.delete(stage);
            }
        }
    }

    /** Removes the least recently used entries until the total is within the limit, and dead shells' staging directories. */
    private void trim(Path newest) throws IOException {
        record Sized(Path entry, FileTime used, long bytes) {
        }
        List<Sized> entries = new ArrayList<>();
        try (Stream<Path> children = Files.list(directory)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                if (name.startsWith(STAGE) && !Leftovers.ownerAlive(child)) {
                    Leftovers.delete(child);
                } else if (ENTRY.matcher(name).matches() && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    entries.add(new Sized(child, Files.getLastModifiedTime(child), size(child)));
                }
            }
        }
        long total = entries.stream().mapToLong(Sized::bytes).sum();
        entries.sort(Comparator.comparing(Sized::used));
        for (Sized sized : entries) {
            if (total <= limitBytes) {
                break;
            }
            if (!sized.entry().equals(newest) && Leftovers.delete(sized.entry())) {
                total -= sized.bytes();
            }
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /** The entry's time is its last use: what {@link #trim} orders by. */
    private static void touch(Path entry) {
        try {
            Files.setLastModifiedTime(entry, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // trimmed meanwhile, or read-only: only the order of trimming suffers
        }
    }

    /**
     * Copies a tree of classes; false when that failed (an entry trimmed by another shell meanwhile, a full disk): a
     * hit then compiles, a store keeps nothing.
     */
    private static boolean copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return true;
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }
}
