package io.fleetshell.engine.python.analysis;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The runner: one process per batch, a timeout that kills, and errors that say what to fix. */
class PythonFactsTest {

    @TempDir
    Path dir;

    @Test
    void oneProcessAnalyzesAWholeBatchInOrder() throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Path file = dir.resolve("agent_%02d.py".formatted(i));
            Files.writeString(file, "import mod_%d\n\ndef f():\n    return mod_%d.run()\n".formatted(i, i));
            files.add(file);
        }
        Path log = dir.resolve("starts.log");
        String python = wrapper("counting-python", """
                echo started >> '%s'
                exec '%s' "$@"
                """.formatted(log, TestPython.command()));

        List<FileFacts> facts = new PythonFacts().analyze(python, files, Set.of());

        assertThat(Files.readAllLines(log)).containsExactly("started");
        assertThat(facts).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(facts.get(i).path()).isEqualTo(files.get(i).toString());
            assertThat(facts.get(i).imports()).extracting(ImportFact::bound).containsExactly("mod_" + i);
            assertThat(facts.get(i).usesOf("mod_" + i)).extracting(Use::phase).containsExactly(Use.Phase.DEFERRED);
        }
    }

    @Test
    void aLargeBatchIsSplitAcrossProcessesAndKeepsItsOrder() throws IOException {
        int count = 2 * PythonFacts.FILES_PER_EXTRA_PROCESS + 10;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            files.add(Files.writeString(dir.resolve("agent_%04d.py".formatted(i)), "import mod_%d\n".formatted(i)));
        }
        Path log = dir.resolve("starts.log");
        String python = wrapper("counting-python", """
                echo started >> '%s'
                exec '%s' "$@"
                """.formatted(log, TestPython.command()));

        List<FileFacts> facts = new PythonFacts().analyzeInParallel(python, files, Set.of(), 2);

        assertThat(Files.readAllLines(log)).hasSize(2);
        assertThat(facts).extracting(FileFacts::path).containsExactlyElementsOf(files.stream().map(Path::toString).toList());
        assertThat(facts.get(count - 1).imports()).extracting(ImportFact::bound).containsExactly("mod_" + (count - 1));
        assertThat(new PythonFacts().analyzeInParallel(python, files.subList(0, 10), Set.of(), 2)).hasSize(10);
        assertThat(Files.readAllLines(log)).hasSize(3); // a small batch stays in one process
    }

    @Test
    void hungInterpreterIsKilledAtTheTimeoutWithAClearMessage() throws IOException {
        String python = wrapper("sleeping-python", "sleep 60\n");
        Path file = Files.writeString(dir.resolve("a.py"), "import os\n");
        long start = System.nanoTime();

        assertThatThrownBy(() -> new PythonFacts().analyze(python, List.of(file), Set.of(), Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED))
                .hasMessageContaining(python)
                .hasMessageContaining("did not finish within 1 s and was stopped")
                .hasMessageContaining("Nothing was changed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void missingInterpreterNamesTheSettingToFix() throws IOException {
        Path file = Files.writeString(dir.resolve("a.py"), "import os\n");
        String python = dir.resolve("no-such-python3.99").toString();

        assertThatThrownBy(() -> new PythonFacts().analyze(python, List.of(file), Set.of()))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("'" + python + "' could not be started")
                .hasMessageContaining("`python:`");
        assertThatThrownBy(() -> new PythonFacts().version(python))
                .isInstanceOf(FleetshellException.class).hasMessageContaining("`python:`");
    }

    @Test
    void helperCrashOutputIsInTheMessage() throws IOException {
        String python = wrapper("crashing-python", """
                echo 'Traceback (most recent call last):' >&2
                echo 'RuntimeError: boom in the helper' >&2
                exit 1
                """);
        Path file = Files.writeString(dir.resolve("a.py"), "import os\n");

        assertThatThrownBy(() -> new PythonFacts().analyze(python, List.of(file), Set.of()))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED))
                .hasMessageContaining("exit status 1")
                .hasMessageContaining("RuntimeError: boom in the helper");
    }

    @Test
    void garbageOnStdoutIsReportedNotParsedHalfway() throws IOException {
        String python = wrapper("chatty-python", "echo 'hello, I am not JSON'\n");
        Path file = Files.writeString(dir.resolve("a.py"), "import os\n");

        assertThatThrownBy(() -> new PythonFacts().analyze(python, List.of(file), Set.of()))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OPERATION_FAILED))
                .hasMessageContaining("output fleetshell cannot read");
    }

    @Test
    void aFifoInAScriptsPlaceIsRefusedBeforeItIsOpenedAndTheRestOfTheBatchIsAnalyzed() throws Exception {
        Path fifo = dir.resolve("agent.py");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Path other = Files.writeString(dir.resolve("other.py"), "import os\n");

        // an open() of the FIFO would block until the timeout; the helper looks at the file first
        List<FileFacts> facts = new PythonFacts().analyze(TestPython.command(), List.of(fifo, other), Set.of(), java.time.Duration.ofSeconds(60));

        assertThat(facts.get(0).error().kind()).isEqualTo(io.fleetshell.engine.analysis.ParseError.Kind.UNREADABLE);
        assertThat(facts.get(0).error().message()).isEqualTo(fifo + " is a FIFO (named pipe), not a regular file: refused before reading");
        assertThat(facts.get(1).imports()).extracting(ImportFact::bound).containsExactly("os");
    }

    @Test
    void versionOfTheInterpreter() {
        assertThat(new PythonFacts().version(TestPython.command())).matches("3\\.\\d+\\.\\d+.*");
    }

    @Test
    void theHelperTravelsOnStdinAndNoFileIsWritten() throws IOException {
        Path file = Files.writeString(dir.resolve("a.py"), "import os\n");
        Path argv = dir.resolve("argv");
        String python = wrapper("recording-python", """
                printf '%%s\\n' "$@" > '%s'
                exec '%s' "$@"
                """.formatted(argv, TestPython.command()));

        assertThat(new PythonFacts().analyze(python, List.of(file), Set.of()).getFirst().imports()).extracting(ImportFact::bound)
                .containsExactly("os");
        assertThat(Files.readString(argv)).startsWith("-I\n-c\n" + PythonFacts.BOOT);
        try (var listed = Files.list(dir)) {
            assertThat(listed.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.py", "argv", "recording-python");
        }
    }

    @Test
    void aRewriteOnStdinHasTheFactsOfTheSameBytesInTheFileAndItsOwnModulesAreFoundBesideIt() throws IOException {
        Files.writeString(dir.resolve("own_setup.py"), "print('side effect')\n");
        Path script = Files.writeString(dir.resolve("agent.py"), "import json\n");
        String rewrite = "import own_setup\nimport os\n\ndef f():\n    return os.getcwd()\n";
        Path copy = Files.writeString(dir.resolve("copy.py"), rewrite);
        io.fleetshell.engine.host.Host here = new io.fleetshell.engine.host.LocalHost("local", dir);

        PythonFacts.Batch onStdin = new PythonFacts().analyzeSource(here, TestPython.command(), script,
                rewrite.getBytes(java.nio.charset.StandardCharsets.UTF_8), Set.of(), List.of(), PythonFacts.defaultTimeout(1));
        FileFacts written = new PythonFacts().analyze(TestPython.command(), List.of(copy), Set.of()).getFirst();

        FileFacts facts = onStdin.files().getFirst();
        assertThat(facts.path()).isEqualTo(script.toString());
        assertThat(facts.sha256()).isEqualTo(written.sha256());
        assertThat(facts.imports()).isEqualTo(written.imports());
        assertThat(facts.uses()).isEqualTo(written.uses());
        assertThat(facts.imports().getFirst().ownEffect()).as("own_setup.py beside agent.py runs code on import").isNotNull();
        assertThat(onStdin.python()).isEqualTo(new PythonFacts().version(TestPython.command()));
        assertThat(Files.readString(script)).as("the file at the path is not read nor written").isEqualTo("import json\n");
    }

    @Test
    void theAnalysisAlsoSaysWhatEachImportLoadsInTheAgentsEnvironment() throws IOException {
        Path libs = Files.createDirectories(dir.resolve("libs"));
        Files.writeString(libs.resolve("fleet_lib.py"), "VALUE = 1\n");
        Path script = Files.writeString(dir.resolve("agent.py"), """
                import sys
                import math
                import fleet_lib
                import no_such_module_here
                from os import path
                from fleet_lib import VALUE
                from . import sibling

                def f():
                    import json
                """);
        io.fleetshell.engine.host.Host here = new io.fleetshell.engine.host.LocalHost("local", dir);

        PythonFacts.Batch batch = new PythonFacts().analyzeWithVersion(here, TestPython.command(), script,
                new PythonFacts.ModuleKinds(TestPython.command(), dir, java.util.Map.of("PYTHONPATH", libs.toString()), Duration.ofSeconds(60)),
                Set.of(), List.of(), PythonFacts.defaultTimeout(1));

        // relative and function-level imports are not asked; math is built in or an extension, depending on the build
        assertThat(batch.moduleKinds().keySet()).containsExactly("sys", "math", "fleet_lib", "no_such_module_here", "os.path", "fleet_lib.VALUE");
        assertThat(batch.moduleKinds().get("math")).isIn("native", "preloaded");
        assertThat(batch.moduleKinds()).containsEntry("sys", "preloaded").containsEntry("fleet_lib", "source")
                .containsEntry("no_such_module_here", "missing").containsEntry("os.path", "preloaded").containsEntry("fleet_lib.VALUE", "attribute");
        assertThat(batch.python()).isEqualTo(new PythonFacts().version(TestPython.command()));
        assertThat(new PythonFacts().analyzeWithVersion(here, TestPython.command(), script, null, Set.of(), List.of(),
                PythonFacts.defaultTimeout(1)).moduleKinds()).as("not asked").isNull();
    }

    @Test
    void emptyBatchStartsNothing() {
        assertThat(new PythonFacts().analyze("/no/such/python", List.of(), Set.of())).isEmpty();
    }

    @Test
    void helperRunsOnPython38() throws IOException {
        Path python38 = Path.of(System.getProperty("user.home"), ".pyenv/versions/3.8.18/bin/python3.8");
        assumeTrue(Files.isExecutable(python38), "no Python 3.8 at " + python38);
        Path file = Files.writeString(dir.resolve("agent.py"), """
                import numpy as np
                from typing import Optional

                def f(x: Optional[int] = None, *, scale=np.float32):
                    return [np.zeros(i) for i in range(x or 1)]

                if __name__ == "__main__":
                    f()
                """);
        FileFacts facts = new PythonFacts().analyze(python38.toString(), List.of(file), Set.of()).getFirst();
        assertThat(facts.parsed()).isTrue();
        assertThat(facts.usesOf("np")).extracting(Use::phase)
                .containsExactly(Use.Phase.IMPORT_TIME, Use.Phase.MAIN);
        assertThat(facts.usesOf("Optional")).extracting(Use::phase, Use::via).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Use.Phase.IMPORT_TIME, "annotation"));
    }

    @Test
    void tooOldPythonIsToldApart() throws IOException {
        Path python37 = Path.of(System.getProperty("user.home"), ".pyenv/versions/3.7.16/bin/python3.7");
        assumeTrue(Files.isExecutable(python37), "no Python 3.7 at " + python37);
        Path file = Files.writeString(dir.resolve("a.py"), "import os\n");

        assertThatThrownBy(() -> new PythonFacts().analyze(python37.toString(), List.of(file), Set.of()))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("exit status 3")
                .hasMessageContaining("needs Python 3.8 or newer; this is 3.7.16")
                .hasMessageContaining("`python:` under global_settings");
    }

    @Test
    void aPython2IsToldApartToo() throws IOException {
        Path python27 = Path.of(System.getProperty("user.home"), ".pyenv/versions/2.7.18/bin/python2.7");
        assumeTrue(Files.isExecutable(python27), "no Python 2.7 at " + python27);
        Path file = Files.writeString(dir.resolve("a.py"), "import os\n");

        assertThatThrownBy(() -> new PythonFacts().analyze(python27.toString(), List.of(file), Set.of()))
                .isInstanceOfSatisfying(FleetshellException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("older than Python 3.4")
                .hasMessageContaining("`python:` under global_settings");
    }

    private String wrapper(String name, String body) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script.toString();
    }
}
