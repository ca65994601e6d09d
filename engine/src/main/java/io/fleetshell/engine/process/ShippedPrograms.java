package io.fleetshell.engine.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The text of a program fleetshell ships in its jar and hands to an interpreter on a host ({@code python -c TEXT}, or
 * on stdin), so that nothing of fleetshell's own is written there: the load probe, the proof's checks, the load
 * runner, the facts helper, the remote file and agent helpers. Each is read once and kept for the process's life.
 */
public final class ShippedPrograms {

    private static final Map<String, String> TEXTS = new ConcurrentHashMap<>();

    private ShippedPrograms() {
    }

    /** A Python program of {@code /io/fleetshell/python/} ({@code load_probe.py}). */
    public static String python(String name) {
        return text("/io/fleetshell/python/" + name);
    }

    /** The program at this class-path resource. */
    public static String text(String resource) {
        return TEXTS.computeIfAbsent(resource, r -> {
            try (InputStream in = ShippedPrograms.class.getResourceAsStream(r)) {
                if (in == null) {
                    throw new IllegalStateException(r + " is missing from this build");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
