package io.fleetshell.engine.python.analysis;

import java.nio.file.Files;
import java.nio.file.Path;

/** The interpreter the analysis tests run: {@code -Dfleetshell.test.python=...}, else Debian's, else {@code python3}. */
final class TestPython {

    private TestPython() {
    }

    static String command() {
        String configured = System.getProperty("fleetshell.test.python");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        // Debian's interpreter starts in ~20 ms; a pyenv shim first on PATH costs ~100 ms a process.
        Path debian = Path.of("/usr/bin/python3");
        return Files.isExecutable(debian) ? debian.toString() : "python3";
    }
}
