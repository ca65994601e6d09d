package io.fleetshell.engine.host;

import io.fleetshell.engine.Checksums;
import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.StartedProcess;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Optional;
import java.util.Set;

/**
 * This computer as a {@link Host}: processes run through {@link ProcessRun} here, files are read and written through
 * the JDK. It is what every machine was before machines had a transport, and what a machine without {@code ssh:} is.
 *
 * @param name          the machine's name, or {@code local}
 * @param stateDirectory FLEETSHELL_HOME
 */
public record LocalHost(String name, Path stateDirectory) implements Host {

    @Override
    public String describe() {
        return "this computer";
    }

    /** Nothing: a message about this computer needs no place. */
    @Override
    public String onMachine() {
        return "";
    }

    @Override
    public ProcessResult run(ProcessRun run) throws CannotStartException, InterruptedException {
        return run.run();
    }

    @Override
    public <T> ProcessRun.Streamed<T> run(ProcessRun run, ProcessRun.StdoutReader<T> reader) throws CannotStartException, InterruptedException {
        return run.run(reader);
    }

    @Override
    public StartedProcess start(ProcessRun run) throws CannotStartException {
        return run.start();
    }

    @Override
    public byte[] read(Path file, long limit) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(file.toString());
        }
        try {
            return SafeFiles.read(file, limit, "a file");
        } catch (io.fleetshell.engine.FleetshellException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public byte[] readContained(Path file, Path expectedReal, long limit) throws IOException {
        SafeFiles.unchanged(file, expectedReal);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return read(file, limit);
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    @Override
    public java.util.List<String> list(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return java.util.List.of();
        }
        try (java.util.stream.Stream<Path> entries = Files.list(directory)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public Optional<FileStat> stat(Path path) throws IOException {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        FileStat.Type type = attributes.isSymbolicLink() ? FileStat.Type.SYMLINK : attributes.isDirectory() ? FileStat.Type.DIRECTORY
                : attributes.isRegularFile() ? FileStat.Type.REGULAR : FileStat.Type.OTHER;
        return Optional.of(new FileStat(path, type, attributes.size(), bits(attributes.permissions()), attributes.owner().getName(),
                attributes.group().getName(), attributes.lastModifiedTime().toInstant()));
    }

    @Override
    public java.util.Map<Path, Optional<Found>> statAll(java.util.Collection<Path> paths) throws IOException {
        java.util.Map<Path, Optional<Found>> out = new java.util.LinkedHashMap<>();
        for (Path path : paths) {
            Optional<FileStat> stat = stat(path);
            Path real = null;
            if (stat.isPresent()) {
                try {
                    real = path.toRealPath();
                } catch (IOException dangling) {
                    // a symlink to nothing: no real path
                }
            }
            Path resolved = real;
            out.put(path, stat.map(s -> new Found(s, Files.isReadable(path), resolved)));
        }
        return out;
    }

    @Override
    public java.util.List<Path> files(Path root, Set<String> skipped) throws IOException {
        java.util.List<Path> found = new java.util.ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes attrs) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                boolean skip = !dir.equals(root) && (name.startsWith(".") || skipped.contains(name));
                return skip ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                    found.add(file);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    @Override
    public Path realPath(Path path) throws IOException {
        return path.toRealPath();
    }

    @Override
    public Written write(Path target, Path temp, byte[] content, Path expectedReal, Ownership keep) throws IOException {
        if (expectedReal != null) {
            SafeFiles.unchanged(target, expectedReal);
        }
        Optional<FileStat> current = stat(target);
        Integer mode = keep.mode() != null ? keep.mode() : current.map(FileStat::mode).orElse(null);
        String owner = keep.owner() != null ? keep.owner() : current.map(FileStat::owner).orElse(null);
        String group = keep.group() != null ? keep.group() : current.map(FileStat::group).orElse(null);
        // A leftover (or planted) temp file, possibly a symlink, is removed, never written through.
        Files.deleteIfExists(temp);
        String notKept;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (mode != null) {
                Files.setPosixFilePermissions(temp, permissions(mode));
            }
            notKept = chown(temp, target, owner, group);
            if (expectedReal != null) {
                SafeFiles.unchanged(target, expectedReal);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        forceDirectory(target.toAbsolutePath().getParent());
        String written = Checksums.sha256(read(target, Math.max(content.length, 1)));
        String wanted = Checksums.sha256(content);
        if (!written.equals(wanted)) {
            throw new IOException("%s reads back with sha256 %s after the write, not %s as written".formatted(target, written, wanted));
        }
        return new Written(written, notKept);
    }

    @Override
    public boolean deleteContained(Path file, Path expectedReal) throws IOException {
        SafeFiles.unchanged(file, expectedReal);
        boolean deleted = Files.deleteIfExists(file);
        if (deleted) {
            forceDirectory(file.toAbsolutePath().getParent());
        }
        return deleted;
    }

    @Override
    public boolean delete(Path file) throws IOException {
        return Files.deleteIfExists(file);
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        Files.createDirectories(directory);
    }

    @Override
    public void writeFresh(Path file, byte[] content) throws IOException {
        SafeFiles.writeFresh(file, content);
    }

    @Override
    public Prepared prepareProof(Path sibling, byte[] content, String prefix) throws IOException {
        Path state = stateDirectory();
        java.util.List<String> siblings = list(sibling.toAbsolutePath().getParent()).stream().filter(name -> name.startsWith(prefix)).sorted().toList();
        writeFresh(sibling, content);
        return new Prepared(state, siblings);
    }

    @Override
    public void copyTree(Path from, Path to, java.util.Map<String, byte[]> replaced) throws IOException {
        Files.createDirectory(to);
        try {
            try (java.util.stream.Stream<Path> paths = Files.walk(from)) {
                for (Path path : paths.toList()) {
                    Path relative = from.relativize(path);
                    if (relative.toString().isEmpty() || skippedInCopy(relative)) {
                        continue;
                    }
                    Path target = to.resolve(relative.toString());
                    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(target);
                    } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                        Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            for (java.util.Map.Entry<String, byte[]> file : replaced.entrySet()) {
                Path target = to.resolve(file.getKey()).normalize();
                if (!target.startsWith(to)) {
                    throw new IOException(file.getKey() + " is not inside the copy " + to);
                }
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                Files.write(target, file.getValue());
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(to);
            throw e;
        }
    }

    private static boolean skippedInCopy(Path relative) {
        for (Path part : relative) {
            if (part.toString().equals("__pycache__") || part.toString().equals(".git")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            return Files.deleteIfExists(path);
        }
        try (java.util.stream.Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
        return true;
    }

    @Override
    public Path temporaryDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Gives {@code file} the owner and group; null when it has them, else why it could not (not root). */
    private static String chown(Path file, Path target, String owner, String group) throws IOException {
        if (owner == null && group == null) {
            return null;
        }
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes now = view.readAttributes();
        if ((owner == null || now.owner().getName().equals(owner)) && (group == null || now.group().getName().equals(group))) {
            return null;
        }
        UserPrincipalLookupService names = file.getFileSystem().getUserPrincipalLookupService();
        try {
            if (owner != null && !now.owner().getName().equals(owner)) {
                view.setOwner(names.lookupPrincipalByName(owner));
            }
            if (group != null && !now.group().getName().equals(group)) {
                view.setGroup(names.lookupPrincipalByGroupName(group));
            }
            return null;
        } catch (FileSystemException | UserPrincipalNotFoundException e) {
            PosixFileAttributes after = view.readAttributes();
            return ("the owner differs: %s is now %s:%s, the original's was %s:%s (fleetshell runs as %s, which may not give "
                    + "a file away; run it as root, or: chown %s:%s %s)").formatted(target, after.owner().getName(),
                    after.group().getName(), owner, group, System.getProperty("user.name"), owner, group, target);
        }
    }

    static int bits(Set<PosixFilePermission> permissions) {
        String text = PosixFilePermissions.toString(permissions);
        int bits = 0;
        for (int i = 0; i < 9; i++) {
            bits = bits << 1 | (text.charAt(i) == '-' ? 0 : 1);
        }
        return bits;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder text = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            text.append((mode >> (8 - i) & 1) == 1 ? letters.charAt(i) : '-');
        }
        return PosixFilePermissions.fromString(text.toString());
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
