package io.fleetshell.engine.demo;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.ConfigSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Copies the demo fleet out of the classpath into a directory. The files are listed in
 * {@code fleet.index} because a jar cannot be listed portably.
 */
public final class DemoFleet {

    /** Present in a directory this class installed; a second install leaves such a directory alone. */
    public static final String MARKER = ".fleetshell-demo";
    private static final String BASE = "/io/fleetshell/demo/";

    /** The demo's machines and the startup config of each. */
    public static List<ConfigSource> configs(Path dir) {
        return List.of(
                new ConfigSource(dir.resolve("main_pc_code/config/startup_config.yaml"), "mainpc", dir),
                new ConfigSource(dir.resolve("pc2_code/config/startup_config.yaml"), "pc2", dir));
    }

    /**
     * The outcome of {@link #install}.
     *
     * @param dir     where the demo is
     * @param copied  how many files were written (0 when it was already there)
     */
    public record Installed(Path dir, int copied) {
    }

    /**
     * Installs the demo into {@code dir}. A directory that already holds the demo is kept as it is,
     * unless {@code reset} restores its files; any other non-empty directory is refused.
     */
    public Installed install(Path dir, boolean reset) {
        Path target = dir.toAbsolutePath().normalize();
        boolean isDemo = Files.isRegularFile(target.resolve(MARKER));
        if (isDemo && !reset) {
            return new Installed(target, 0);
        }
        if (!isDemo && Files.isDirectory(target) && !isEmpty(target)) {
            throw new FleetshellException(ErrorCode.BAD_INPUT,
                    target + " is not empty and holds no demo fleet; choose an empty or new directory. Nothing was written.");
        }
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, target + " is a file; choose a directory. Nothing was written.");
        }
        List<String> files = index();
        try {
            for (String file : files) {
                Path out = target.resolve(file).normalize();
                if (!out.startsWith(target)) {
                    throw new IllegalStateException("demo index entry escapes the demo directory: " + file);
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = resource(file)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.writeString(target.resolve(MARKER), "installed by fleetshell demo init\n");
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "could not write the demo to " + target + ": " + e.getMessage(), e);
        }
        return new Installed(target, files.size());
    }

    /** The demo's files, relative to its root. */
    public static List<String> index() {
        try (InputStream in = resource("fleet.index")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, e.getMessage() + ". Nothing was written.", e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = DemoFleet.class.getResourceAsStream(BASE + name);
        if (in == null) {
            throw new IOException("the demo file " + name + " is missing from this build; rebuild fleetshell");
        }
        return in;
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
