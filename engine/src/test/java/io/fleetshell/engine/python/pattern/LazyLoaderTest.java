package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inlined loader, run by the test interpreter: identity with sys.modules before and after the load,
 * {@code import a.b.c} attributes, submodules, missing modules failing at bind time as the eager import did,
 * C extensions loaded eagerly, mock.patch, and 16 threads racing on the first use (LazyLoader loses that
 * race on 3.11.2).
 */
class LazyLoaderTest {

    @TempDir
    Path dir;

    @Test
    void theLoaderKeepsIdentityParentsAndErrorsAndSurvivesRacingThreads() throws IOException {
        Path script = dir.resolve("check.py");
        Files.writeString(script, RewriteTest.LOADER + """

                import sys, threading, types

                assert "asyncio" not in sys.modules
                asyncio = _fleetshell_lazy("asyncio", "asyncio")
                xml = _fleetshell_lazy("xml.etree.ElementTree", "xml")
                cf = _fleetshell_lazy("concurrent.futures", "concurrent.futures")
                client = _fleetshell_lazy("xmlrpc.client", "xmlrpc.client")
                unicodedata = _fleetshell_lazy("unicodedata", "unicodedata")
                assert asyncio is sys.modules["asyncio"], "bound before the load: the very module object"
                assert type(asyncio) is not types.ModuleType, "not loaded yet"
                assert xml is sys.modules["xml"] and xml.etree.ElementTree is sys.modules["xml.etree.ElementTree"]
                assert sys.modules["xmlrpc"].client is client, "the parent attribute is set as the eager import sets it"
                assert unicodedata.name("a") == "LATIN SMALL LETTER A"
                try:
                    missing = _fleetshell_lazy("no_such_module_here", "no_such_module_here")
                    raise AssertionError("a missing module must fail at bind time")
                except ModuleNotFoundError as e:
                    assert "no_such_module_here" in str(e)

                errors = []
                start = threading.Barrier(16)

                def use():
                    start.wait()
                    try:
                        asyncio.get_event_loop_policy
                        cf.ThreadPoolExecutor
                        xml.etree.ElementTree.fromstring("<a/>")
                        client.dumps((1,))
                    except Exception as e:
                        errors.append(repr(e))

                threads = [threading.Thread(target=use) for _ in range(16)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert not errors, errors
                assert type(asyncio) is types.ModuleType and asyncio is sys.modules["asyncio"]
                from unittest import mock  # imports asyncio itself: only after the checks above

                with mock.patch("xmlrpc.client.dumps", return_value="patched"):
                    assert client.dumps(()) == "patched"
                print("ok")
                """);
        ProcessResult run = ProcessRun.of(RewriteTest.python(), script.toString()).in(dir).timeout(Duration.ofSeconds(60)).runOrFail("the check");
        assertThat(run.stdout().strip()).as(run.stderr()).isEqualTo("ok");
    }

    /** Found by benchmark B1: scipy's {@code __getattr__} imports a submodule on any attribute lookup, so asking the package would load it. */
    @Test
    void aPackageWhoseGetattrImportsSubmodulesDoesNotLoadTheDeferredOne() throws IOException {
        Files.createDirectories(dir.resolve("pkg"));
        Files.writeString(dir.resolve("pkg/__init__.py"), """
                import importlib

                def __getattr__(name):  # as scipy's: a submodule on first attribute lookup
                    return importlib.import_module("pkg." + name)
                """);
        Files.writeString(dir.resolve("pkg/signal.py"), "import builtins\nbuiltins.SIGNAL_LOADS = getattr(builtins, 'SIGNAL_LOADS', 0) + 1\nVALUE = 42\n");
        Path script = dir.resolve("check_getattr.py");
        Files.writeString(script, RewriteTest.LOADER + """

                import builtins, sys
                sys.path.insert(0, %s)
                signal = _fleetshell_lazy("pkg.signal", "pkg.signal")
                assert getattr(builtins, "SIGNAL_LOADS", 0) == 0, "the deferred submodule ran at bind time"
                assert signal.VALUE == 42 and builtins.SIGNAL_LOADS == 1
                assert sys.modules["pkg"].signal is signal is sys.modules["pkg.signal"]
                print("ok")
                """.formatted("'" + dir + "'"));
        ProcessResult run = ProcessRun.of(RewriteTest.python(), script.toString()).in(dir).timeout(Duration.ofSeconds(60)).runOrFail("the check");
        assertThat(run.stdout().strip()).as(run.stderr()).isEqualTo("ok");
    }
}
