package io.fleetshell.engine.python;

import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.testing.PyenvShim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The interpreter behind a machine's {@code python}, resolved once, as pyenv's shim would pick it (issue 19). */
class InterpretersTest {

    @TempDir
    Path dir;

    @Test
    void aShimResolvesToTheInterpreterItStartsFromTheFleetRootWithTheMachinesEnvironmentOnce() throws IOException {
        Path root = Files.createDirectories(dir.resolve("fleet"));
        // like pyenv's: the version file in the working directory and a variable of the environment choose the interpreter
        PyenvShim python = PyenvShim.in(dir, root);
        Interpreters interpreters = new Interpreters();
        Machine machine = new Machine("m", root, python.shim().toString(), PyenvShim.ENVIRONMENT, Map.of());

        String resolved = interpreters.of(machine);
        assertThat(interpreters.of(machine)).isEqualTo(resolved);

        assertThat(Path.of(resolved)).isAbsolute().isNotEqualTo(python.shim());
        assertThat(python.isReal(resolved)).as(resolved).isTrue();
        assertThat(python.starts()).as("asked once").isEqualTo(1);
        assertThat(interpreters.of(new Machine("m", root, python.shim().toString(), Map.of(), Map.of())))
                .as("another environment is asked again; the shim refuses it, so the name stays").isEqualTo(python.shim().toString());
    }

    @Test
    void anInterpreterThatDoesNotExistStaysTheConfiguredNameForTheLoadsToReport() {
        Machine machine = new Machine("m", dir, dir.resolve("no-such-python").toString(), Map.of(), Map.of());

        assertThat(new Interpreters().of(machine)).isEqualTo(dir.resolve("no-such-python").toString());
    }
}
