package io.fleetshell.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * A {@code python3} that behaves like pyenv's shim: it runs the real interpreter only when started from a directory with a
 * {@code .python-version} (the fleet root gets one) and with {@code SHIM_ON=yes} in its environment, else exits 3; each
 * start appends a line to a file, so a test counts how often the configured name was started.
 *
 * @param shim the shim's path: a machine's {@code python}
 * @param real the interpreter it runs
 * @param calls the file its starts are counted in
 */
public record PyenvShim(Path shim, Path real, Path calls) {

    /** The environment a machine gives its agents for the shim to run the real interpreter. */
    public static final Map<String, String> ENVIRONMENT = Map.of("SHIM_ON", "yes");

    /** A shim in {@code dir}, for a fleet whose root is {@code root} (which gets the version file). */
    public static PyenvShim in(Path dir, Path root) throws IOException {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process asked = new ProcessBuilder(python, "-c", "import sys; print(sys.executable)").start();
        Path real = Path.of(new String(asked.getInputStream().readAllBytes()).strip());
        Files.writeString(root.resolve(".python-version"), "real\n");
        Path calls = dir.resolve("calls");
        Path shim = Files.writeString(dir.resolve("python3"), """
                #!/bin/sh
                echo call >> %s
                if [ -f .python-version ] && [ "$SHIM_ON" = yes ]; then exec %s "$@"; fi
                exit 3
                """.formatted(calls, real));
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new PyenvShim(shim, real, calls);
    }

    /** How many times the shim was started. */
    public int starts() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
    }

    /** Whether {@code path} is the real interpreter. */
    public boolean isReal(String path) throws IOException {
        return Files.isSameFile(Path.of(path), real);
    }
}
