package io.fleetshell.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hex SHA-256 of files and texts: how fleetshell recognizes a config or a script it has seen before. */
public final class Checksums {

    private Checksums() {
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The checksum of a script, read as {@link SafeFiles#readScript} reads it: a regular file, not through a link, bounded.
     *
     * @throws FleetshellException when the file cannot be read or is not a regular file
     */
    public static String sha256(Path file) {
        return sha256(SafeFiles.readScript(file));
    }
}
