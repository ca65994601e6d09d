package io.fleetshell.engine.python;

import io.fleetshell.engine.inventory.Machine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The interpreter behind a machine's {@code python}, resolved once, as pyenv's shim would pick it (issue 19). */
class InterpretersTest {

    @TempDir
    Path dir;

    @Test
    void aShimResolvesToTheInterpreterItStartsFromTheFleetRootWithTheMachinesEnvironmentOnce() throws IOException {
        Path root = Files.createDirectories(dir.resolve("fleet"));
        Process asked = new ProcessBuilder(ProverTest.PYTHON, "-c", "import sys; print(sys.executable)").start();
        Path real = Path.of(new String(asked.getInputStream().readAllBytes()).strip());
        // like pyenv's: the version file in the working directory and a variable of the environment choose the interpreter
        Files.writeString(root.resolve(".python-version"), "real\n");
        Path calls = dir.resolve("calls");
        Path shim = Files.writeString(dir.resolve("python3"), """
                #!/bin/sh
                echo call >> %s
                if [ -f .python-version ] && [ "$SHIM_ON" = yes ]; then exec %s "$@"; fi
                exit 3
                """.formatted(calls, real));
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        Interpreters interpreters = new Interpreters();
        Machine machine = new Machine("m", root, shim.toString(), Map.of("SHIM_ON", "yes"), Map.of());

        String resolved = interpreters.of(machine);
        assertThat(interpreters.of(machine)).isEqualTo(resolved);

        assertThat(Path.of(resolved)).isAbsolute().isNotEqualTo(shim);
        assertThat(Files.isSameFile(Path.of(resolved), real)).as(resolved).isTrue();
        assertThat(Files.readAllLines(calls)).as("asked once").hasSize(1);
        assertThat(interpreters.of(new Machine("m", root, shim.toString(), Map.of(), Map.of())))
                .as("another environment is asked again; the shim refuses it, so the name stays").isEqualTo(shim.toString());
    }

    @Test
    void anInterpreterThatDoesNotExistStaysTheConfiguredNameForTheLoadsToReport() {
        Machine machine = new Machine("m", dir, dir.resolve("no-such-python").toString(), Map.of(), Map.of());

        assertThat(new Interpreters().of(machine)).isEqualTo(dir.resolve("no-such-python").toString());
    }
}
