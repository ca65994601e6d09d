package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inlined loader, run by the test interpreter: identity with sys.modules before and after the load,
 * {@code import a.b.c} attributes, submodules, missing modules failing at bind time as the eager import did,
 * C extensions loaded eagerly, mock.patch, and 16 threads racing on the first use (LazyLoader loses that
 * race on 3.11.2); the whole chain of {@code import a.b.c} waiting for the first use (issue 19 item 4), and the parents
 * of {@code import a.b as x} / {@code from a import b} waiting with the submodule (issue 14, found on B1 shared).
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

    /**
     * Issue 19 item 4: binding a deferred name imports nothing but the placeholder itself. The loader used to import
     * importlib.util, which on an interpreter whose site does not load it (Debian's /usr/bin/python3) added 17 modules
     * (contextlib, functools, collections...) and about 4 ms of CPU to every start of a rewritten agent. Run without the
     * site ({@code -S}), so that no .pth file has loaded importlib.util before: the modules the loader adds are exactly
     * the deferred ones, unloaded; a missing module still fails at bind time.
     */
    @Test
    void bindingADeferredNameImportsNothingButThePlaceholder() throws IOException {
        Files.createDirectories(dir.resolve("waitpkg"));
        Files.writeString(dir.resolve("deferred_mod.py"), "VALUE = 3\n");
        Files.writeString(dir.resolve("waitpkg/__init__.py"), "");
        Files.writeString(dir.resolve("waitpkg/leaf.py"), "VALUE = 4\n");
        Path script = dir.resolve("check_imports.py");
        Files.writeString(script, """
                import sys
                sys.path.insert(0, %s)
                before = set(sys.modules)
                """.formatted("'" + dir + "'") + RewriteTest.LOADER + """

                mod = _fleetshell_lazy("deferred_mod", "deferred_mod")
                leaf = _fleetshell_lazy("waitpkg.leaf", "waitpkg.leaf")
                try:
                    _fleetshell_lazy("no_such_module_here", "no_such_module_here")
                    raise AssertionError("a missing module must fail at bind time")
                except ModuleNotFoundError:
                    pass
                added = sorted(set(sys.modules) - before)
                assert added == ["deferred_mod", "waitpkg", "waitpkg.leaf"], added
                assert all(type(sys.modules[name]) is not type(sys) for name in added), "not loaded yet"
                assert mod.VALUE == 3 and leaf.VALUE == 4 and sys.modules["waitpkg"].leaf is leaf
                print("ok")
                """);
        ProcessResult run = ProcessRun.of(RewriteTest.python(), "-S", script.toString()).in(dir).timeout(Duration.ofSeconds(60)).runOrFail("the check");
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

    /**
     * Issue 19 item 4: {@code import a.b.c} binds {@code a} unloaded, and no package of the chain runs before its own first
     * use (a before a.b before a.b.c, each once); a second chain under the same
     * package waits with it; a package already loaded stays as it is and only the rest waits; a chain whose rest does not
     * exist fails at bind time as the eager import did; an error in the package's own code surfaces at first use and
     * leaves sys.modules as the failed eager import would.
     */
    @Test
    void theWholeDottedChainWaitsForTheFirstUseAndRunsInTheEagerOrder() throws IOException {
        for (String file : List.of("chain/__init__.py", "chain/sub/__init__.py", "chain/sub/leaf.py", "chain/other.py",
                "loaded/__init__.py", "loaded/sub/__init__.py", "loaded/sub/leaf.py", "broken/__init__.py", "broken/leaf.py",
                "gap/__init__.py", "gap/leaf.py")) {
            Path path = dir.resolve(file);
            Files.createDirectories(path.getParent());
            String name = file.replace("/__init__.py", "").replace(".py", "").replace('/', '.');
            Files.writeString(path, "import builtins\nbuiltins.RAN = getattr(builtins, 'RAN', []) + [%s]\n".formatted("'" + name + "'")
                    + (name.equals("broken") ? "raise RuntimeError('broken package')\n" : ""));
        }
        Path script = dir.resolve("check_chain.py");
        Files.writeString(script, RewriteTest.LOADER + """

                import builtins, sys, threading, types
                sys.path.insert(0, %s)
                import loaded
                builtins.RAN = []
                chain = _fleetshell_lazy("chain.sub.leaf", "chain")
                again = _fleetshell_lazy("chain.other", "chain")
                loaded = _fleetshell_lazy("loaded.sub.leaf", "loaded")
                assert builtins.RAN == [], builtins.RAN
                assert chain is again is sys.modules["chain"] and type(chain) is not types.ModuleType
                assert "chain.sub" not in sys.modules and "loaded.sub.leaf" not in sys.modules
                assert type(loaded) is types.ModuleType and loaded is sys.modules["loaded"], "a package loaded already stays as it is"
                assert type(vars(loaded)["sub"]) is not types.ModuleType, "the first package not loaded yet waits, bound in its parent"
                start, errors = threading.Barrier(8), []

                def use():
                    start.wait()
                    try:
                        assert chain.sub.leaf.__name__ == "chain.sub.leaf" and chain.other.__name__ == "chain.other"
                    except Exception as e:
                        errors.append(repr(e))

                threads = [threading.Thread(target=use) for _ in range(8)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert not errors, errors
                assert builtins.RAN[0] == "chain" and sorted(builtins.RAN) == ["chain", "chain.other", "chain.sub", "chain.sub.leaf"], builtins.RAN
                assert builtins.RAN.index("chain.sub") < builtins.RAN.index("chain.sub.leaf"), builtins.RAN
                assert type(chain) is types.ModuleType and chain.sub.leaf is sys.modules["chain.sub.leaf"]
                assert loaded.sub.leaf.__name__ == "loaded.sub.leaf" and loaded.sub.leaf is sys.modules["loaded.sub.leaf"]
                assert builtins.RAN[4:] == ["loaded.sub", "loaded.sub.leaf"], builtins.RAN
                broken = _fleetshell_lazy("broken.leaf", "broken")
                try:
                    broken.leaf
                    raise AssertionError("the package's error must surface at first use")
                except RuntimeError as e:
                    assert str(e) == "broken package"
                assert "broken" not in sys.modules and "broken.leaf" not in sys.modules
                builtins.RAN = []
                gap = _fleetshell_lazy("gap.leaf", "gap")
                try:
                    _fleetshell_lazy("gap.nosuch", "gap")
                    raise AssertionError("a chain whose rest is missing must fail at bind time")
                except ModuleNotFoundError as e:
                    assert "gap.nosuch" in str(e), e
                assert builtins.RAN == ["gap"] and type(sys.modules["gap.leaf"]) is not types.ModuleType, builtins.RAN
                print("ok")
                """.formatted("'" + dir + "'"));
        ProcessResult run = ProcessRun.of(RewriteTest.python(), script.toString()).in(dir).timeout(Duration.ofSeconds(60)).runOrFail("the check");
        assertThat(run.stdout().strip()).as(run.stderr()).isEqualTo("ok");
    }

    /**
     * Found by DemoFleetRewriteTest on the demo's ModelManagerAgent: with {@code import urllib.request} deferred, the
     * standard library's own {@code import urllib.parse} (from {@code email.utils}, midway through {@code http.server})
     * touched the waiting {@code urllib}. Had that touch loaded the whole chain, {@code urllib.request} would have run
     * inside a half-imported {@code email} and failed; the touch runs only {@code urllib}'s own {@code __init__}.
     */
    @Test
    void anotherSubmoduleImportedThroughTheWaitingPackageRunsOnlyThePackage() throws IOException {
        Files.createDirectories(dir.resolve("pkgx"));
        Files.writeString(dir.resolve("pkgx/__init__.py"), "");
        Files.writeString(dir.resolve("pkgx/light.py"), "LIGHT = 1\n");
        Files.writeString(dir.resolve("pkgx/heavy.py"), "from mid import X\nHEAVY = X + 1\n");
        Files.writeString(dir.resolve("mid.py"), "import pkgx.light\nX = pkgx.light.LIGHT\n");
        Path script = dir.resolve("check_cycle.py");
        Files.writeString(script, RewriteTest.LOADER + """

                import sys
                sys.path.insert(0, %s)
                pkgx = _fleetshell_lazy("pkgx.heavy", "pkgx")
                import mid
                assert "pkgx.heavy" in sys.modules and mid.X == 1
                assert pkgx.heavy.HEAVY == 2 and pkgx.heavy is sys.modules["pkgx.heavy"]
                print("ok")
                """.formatted("'" + dir + "'"));
        ProcessResult run = ProcessRun.of(RewriteTest.python(), script.toString()).in(dir).timeout(Duration.ofSeconds(60)).runOrFail("the check");
        assertThat(run.stdout().strip()).as(run.stderr()).isEqualTo("ok");
    }

    /**
     * Found on B1 shared (issue 14): {@code import redis.asyncio as aioredis} made only {@code redis.asyncio} lazy and ran
     * {@code redis}' own {@code __init__} (which imports {@code redis.asyncio} itself, 150 ms) at once. Now a submodule
     * bound by itself waits with its parents: nothing runs at bind time; the first use runs the parents, then the
     * submodule, once, in the eager order (a parent that imports the submodule runs it at that statement); the parent
     * gets the attribute also when another module's eager {@code import} loads it first; a parent's error surfaces at
     * first use and leaves sys.modules as the failed eager import would; 16 threads racing on parent and submodule
     * load each once without a deadlock.
     */
    @Test
    void aSubmoduleBoundByItselfWaitsWithItsParentsAndRunsInTheEagerOrder() throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("par/__init__.py", "import builtins\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['par']\nfrom par import kid\nbuiltins.RAN.append('par end')\n");
        files.put("par/kid.py", "import builtins\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['par.kid']\nVALUE = 7\n");
        files.put("quiet/__init__.py", "import builtins\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['quiet']\n");
        files.put("quiet/deep/__init__.py", "import builtins\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['quiet.deep']\n");
        files.put("quiet/deep/leaf.py", "import builtins\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['quiet.deep.leaf']\nVALUE = 8\n");
        files.put("other/__init__.py", "import builtins\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['other']\n");
        files.put("other/sub.py", "import builtins\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['other.sub']\nVALUE = 9\n");
        files.put("selfpar/__init__.py", "import builtins\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['selfpar']\nfrom selfpar import kid\n"
                + "builtins.RAN.append('selfpar end')\n");
        files.put("selfpar/kid.py", "import builtins\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['selfpar.kid']\nVALUE = 5\n");
        files.put("bad/__init__.py", "raise RuntimeError('broken parent')\n");
        files.put("bad/kid.py", "VALUE = 1\n");
        files.put("tpar/__init__.py", "import builtins, time\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['tpar']\ntime.sleep(0.2)\n"
                + "from tpar import kid\nX = kid.VALUE\n");
        files.put("tpar/kid.py", "import builtins, time\nbuiltins.RAN = getattr(builtins, 'RAN', []) + ['tpar.kid']\ntime.sleep(0.1)\nVALUE = 7\n");
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.createDirectories(dir.resolve(file.getKey()).getParent());
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
        }
        Path script = dir.resolve("check_parents.py");
        Files.writeString(script, RewriteTest.LOADER + """

                import builtins, sys, threading, types
                sys.path.insert(0, %s)
                builtins.RAN = []
                par = _fleetshell_lazy("par", "par")            # another statement's `import par`, deferred: the package waits
                kid = _fleetshell_lazy("par.kid", "par.kid")    # `from par import kid`: the submodule waits with it
                leaf = _fleetshell_lazy("quiet.deep.leaf", "quiet.deep.leaf")  # `import quiet.deep.leaf as leaf`
                sub = _fleetshell_lazy("other.sub", "other.sub")
                assert builtins.RAN == [], builtins.RAN
                assert kid is sys.modules["par.kid"] and leaf is sys.modules["quiet.deep.leaf"] and type(leaf) is not types.ModuleType
                assert "quiet" in sys.modules and "quiet.deep" not in sys.modules
                assert kid.VALUE == 7
                assert builtins.RAN == ["par", "par.kid", "par end"], builtins.RAN
                assert par.kid is kid and type(par) is types.ModuleType
                assert leaf.VALUE == 8 and builtins.RAN[3:] == ["quiet", "quiet.deep", "quiet.deep.leaf"], builtins.RAN
                assert sys.modules["quiet"].deep.leaf is leaf is sys.modules["quiet.deep.leaf"]
                import other  # another module's eager import of the parent, before the first use of the submodule
                assert other.sub is sub and type(sub) is not types.ModuleType, "the parent gets the attribute, the submodule still waits"
                assert sub.VALUE == 9 and builtins.RAN[6:] == ["other", "other.sub"], builtins.RAN
                builtins.RAN = []
                sk = _fleetshell_lazy("selfpar.kid", "selfpar.kid")  # as `import redis.asyncio as aioredis`: the package imports it itself
                assert builtins.RAN == [] and type(sys.modules["selfpar"]) is not types.ModuleType, builtins.RAN
                assert sk.VALUE == 5 and builtins.RAN == ["selfpar", "selfpar.kid", "selfpar end"], builtins.RAN
                assert sys.modules["selfpar"].kid is sk is sys.modules["selfpar.kid"]
                badkid = _fleetshell_lazy("bad.kid", "bad.kid")
                try:
                    badkid.VALUE
                    raise AssertionError("the parent's error must surface at first use")
                except RuntimeError as e:
                    assert str(e) == "broken parent"
                assert "bad" not in sys.modules and "bad.kid" not in sys.modules

                builtins.RAN = []
                tpar = _fleetshell_lazy("tpar", "tpar")
                tkid = _fleetshell_lazy("tpar.kid", "tpar.kid")
                start, errors = threading.Barrier(16), []

                def use(i):
                    start.wait()
                    try:
                        assert (tkid.VALUE if i %% 2 else tpar.X) == 7
                    except Exception as e:
                        errors.append(repr(e))

                threads = [threading.Thread(target=use, args=(i,)) for i in range(16)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(30)
                assert not any(t.is_alive() for t in threads), "the threads deadlocked"
                assert not errors, errors
                assert sorted(builtins.RAN) == ["tpar", "tpar.kid"], builtins.RAN
                assert tpar.kid is tkid is sys.modules["tpar.kid"]
                print("ok")
                """.formatted("'" + dir + "'"));
        ProcessResult run = ProcessRun.of(RewriteTest.python(), script.toString()).in(dir).timeout(Duration.ofSeconds(90)).runOrFail("the check");
        assertThat(run.stdout().strip()).as(run.stderr()).isEqualTo("ok");
    }
}
