package io.fleetshell.engine.pattern;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A change of several files made as one unit: a shared module's rewrite together with the helper module it imports
 * (which it may create), say. The rollout writes, proves, backs up and restores the files of one change set together:
 * all of them are written or none is, a rollback restores every file it changed byte for byte and removes every file
 * it created (a {@link Rewrite#createsFile} file is backed up as "absent"), and a drift check covers each file. Like
 * {@link Rewrite} it is a value: making one reads and writes no file.
 *
 * @param pattern the pattern (or {@code a+b} chain) that made it, as {@link Rewrite#pattern}
 * @param files   one rewrite per file, no file twice, in the order they are shown and written (a created helper first,
 *                so that at no moment a written file imports a module that is not there yet)
 * @param notes   what holds for the change as a whole (the notes of one file stay in its rewrite)
 */
public record ChangeSet(String pattern, List<Rewrite> files, List<String> notes) {

    public ChangeSet {
        files = List.copyOf(files);
        notes = List.copyOf(notes);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a change set of " + pattern + " names no file");
        }
        Set<Path> seen = new HashSet<>();
        for (Rewrite file : files) {
            if (!seen.add(file.file().toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("a change set of " + pattern + " names " + file.file() + " twice");
            }
        }
    }

    /** The change set of one rewrite: what a change of one agent's own file is. */
    public static ChangeSet of(Rewrite rewrite) {
        return new ChangeSet(rewrite.pattern(), List.of(rewrite), List.of());
    }

    /** Whether any file changes (or is created). */
    public boolean changes() {
        return files.stream().anyMatch(Rewrite::changes);
    }

    /** The rewrites that change their file, in order: what a rollout writes. */
    public List<Rewrite> changed() {
        return files.stream().filter(Rewrite::changes).toList();
    }

    /** The files this change set creates (absent before it). */
    public List<Path> created() {
        return files.stream().filter(Rewrite::createsFile).map(Rewrite::file).toList();
    }

    /** The unified diff of every changed file, one after the other (see {@link Rewrite#unifiedDiff}). */
    public String unifiedDiff() {
        StringBuilder text = new StringBuilder();
        for (Rewrite file : changed()) {
            text.append(file.unifiedDiff());
        }
        return text.toString();
    }

    /** The diffs of every changed file as bytes, one after the other (see {@link Rewrite#unifiedDiffBytes}). */
    public byte[] unifiedDiffBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Rewrite file : changed()) {
            bytes.writeBytes(file.unifiedDiffBytes());
        }
        return bytes.size() == 0 ? new byte[0] : bytes.toByteArray();
    }

    @Override
    public String toString() {
        return "ChangeSet[" + pattern + ": " + files.stream().map(f -> f.file().toString()).toList() + "]";
    }
}
