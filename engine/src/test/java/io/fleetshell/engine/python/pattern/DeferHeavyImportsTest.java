package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.Rewrite;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.fleetshell.engine.python.pattern.RewriteTest.assertRewrite;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden before/after tests of {@code lazy_loading}, one per rule and trap of LAZY_IMPORTS.md, the case
 * that defers next to the case that must not. {@code <loader>} stands for the inlined loader.
 */
class DeferHeavyImportsTest {

    private static final Pattern LAZY = new DeferHeavyImports();
    private static final String PY311 = "3.11.2";

    private static Rewrite assertLazy(String before, String after) {
        return assertRewrite(LAZY, PY311, before, after);
    }

    @Nested
    class Rule1ImportTimeUses {

        @Test
        void aNameUsedOnlyInsideFunctionsIsDeferred() {
            assertLazy("""
                    import json


                    def dump(x):
                        return json.dumps(x)
                    """, """
                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   deferred: `import json` (line 1)
                    <loader>
                    json = _fleetshell_lazy("json", "json")
                    del _fleetshell_lazy


                    def dump(x):
                        return json.dumps(x)
                    """);
        }

        @Test
        void aNameUsedByAModuleLevelStatementStays() {
            assertLazy("""
                    import json
                    DEFAULTS = json.loads("{}")
                    """, null);
        }

        @Test
        void trap1DecoratorStays() {
            assertLazy("""
                    import functools


                    @functools.lru_cache(maxsize=None)
                    def f(x):
                        return x
                    """, null);
        }

        @Test
        void trap2DefaultArgumentStays() {
            assertLazy("""
                    import ssl


                    def settings(protocol=ssl.PROTOCOL_TLS_CLIENT):
                        return protocol
                    """, null);
        }

        @Test
        void trap3BaseClassStays() {
            assertLazy("""
                    import html.parser


                    class Links(html.parser.HTMLParser):
                        pass
                    """, null);
        }

        @Test
        void metaclassKeywordStays() {
            assertLazy("""
                    import abc


                    class Base(metaclass=abc.ABCMeta):
                        pass
                    """, null);
        }

        @Test
        void classBodyUseStays() {
            assertLazy("""
                    import decimal


                    class Money:
                        CONTEXT = decimal.Context(prec=4)
                    """, null);
        }

        @Test
        void trap4ModuleLevelConstantStays() {
            assertLazy("""
                    import hashlib
                    SALT = hashlib.blake2s(b"x").hexdigest()
                    """, null);
        }

        @Test
        void trap5FunctionCalledAtModuleLevelStaysTransitively() {
            assertLazy("""
                    import doctest


                    def _parse():
                        return doctest.DocTestParser()


                    def _load():
                        return _parse()


                    PARSER = _load()
                    """, null);
        }

        @Test
        void annotationEvaluatedAtDefTimeStays() {
            assertLazy("""
                    import decimal


                    def price(x) -> decimal.Decimal:
                        return x
                    """, null);
        }

        @Test
        void annotationUnderFutureAnnotationsIsDeferredAfterTheFutureImport() {
            assertLazy("""
                    \"""Prices.\"""
                    from __future__ import annotations

                    import decimal


                    def price(x) -> decimal.Decimal:
                        return decimal.Decimal(x)
                    """, """
                    \"""Prices.\"""
                    from __future__ import annotations

                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   kept eager: `from __future__ import annotations` (line 2): `__future__` imports are compiler directives, rule 5
                    #   deferred: `import decimal` (line 4)
                    <loader>
                    decimal = _fleetshell_lazy("decimal", "decimal")
                    del _fleetshell_lazy


                    def price(x) -> decimal.Decimal:
                        return decimal.Decimal(x)
                    """);
        }

        @Test
        void useInTheMainBlockStays() {
            assertLazy("""
                    import logging.handlers

                    if __name__ == "__main__":
                        logging.handlers.QueueHandler(None)
                    """, null);
        }
    }

    @Nested
    class Rule3DottedImports {

        @Test
        void importABCBindsTheTopPackageAndLoadsTheSubmodule() {
            assertLazy("""
                    import xml.etree.ElementTree


                    def parse(text):
                        return xml.etree.ElementTree.fromstring(text)
                    """, """
                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   deferred: `import xml.etree.ElementTree` (line 1)
                    <loader>
                    xml = _fleetshell_lazy("xml.etree.ElementTree", "xml")
                    del _fleetshell_lazy


                    def parse(text):
                        return xml.etree.ElementTree.fromstring(text)
                    """);
        }

        @Test
        void importABCAsXBindsTheSubmodule() {
            assertLazy("""
                    import concurrent.futures as cf


                    def pool():
                        return cf.ThreadPoolExecutor(1)
                    """, """
                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   deferred: `import concurrent.futures as cf` (line 1)
                    <loader>
                    cf = _fleetshell_lazy("concurrent.futures", "concurrent.futures")
                    del _fleetshell_lazy


                    def pool():
                        return cf.ThreadPoolExecutor(1)
                    """);
        }

        @Test
        void importAAsB() {
            assertLazy("""
                    import json as j


                    def dump(x):
                        return j.dumps(x)
                    """, """
                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   deferred: `import json as j` (line 1)
                    <loader>
                    j = _fleetshell_lazy("json", "json")
                    del _fleetshell_lazy


                    def dump(x):
                        return j.dumps(x)
                    """);
        }
    }

    /** Issue 14 item 2: the loader imported from one helper module of the fleet instead of inlined in every file. */
    @Nested
    class HelperModule {

        private static final Map<String, String> HELPER = Map.of(DeferHeavyImports.OPTION_HELPER_MODULE, "common._fleetshell_lazy");

        @Test
        void theRewriteImportsTheLoaderFromTheHelperModuleAndDeletesItAfterTheLastDeferredImport() {
            assertRewrite(LAZY, PY311, HELPER, """
                    import json
                    import xml.etree.ElementTree


                    def dump(x):
                        return json.dumps(x), xml.etree.ElementTree.fromstring(x)
                    """, """
                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   deferred: `import json` (line 1)
                    #   deferred: `import xml.etree.ElementTree` (line 2)
                    from common._fleetshell_lazy import _fleetshell_lazy
                    json = _fleetshell_lazy("json", "json")
                    xml = _fleetshell_lazy("xml.etree.ElementTree", "xml")
                    del _fleetshell_lazy


                    def dump(x):
                        return json.dumps(x), xml.etree.ElementTree.fromstring(x)
                    """);
        }

        @Test
        void onPython315ThereIsNoLoaderToImport() {
            assertRewrite(LAZY, "3.15.0", HELPER, """
                    import json


                    def dump(x):
                        return json.dumps(x)
                    """, """
                    # fleetshell lazy_loading (Python 3.15): each deferred import below keeps its name, which loads the module on first use
                    #   deferred: `import json` (line 1)

                    lazy import json


                    def dump(x):
                        return json.dumps(x)
                    """);
        }

        @Test
        void aFileThatImportsTheLoaderAlreadyIsNotRewrittenAgain() {
            Rewrite rewrite = assertRewrite(LAZY, PY311, HELPER, """
                    from common._fleetshell_lazy import _fleetshell_lazy
                    json = _fleetshell_lazy("json", "json")
                    import csv
                    del _fleetshell_lazy


                    def dump(x):
                        return json.dumps(x), csv.writer
                    """, null);
            assertThat(rewrite.notes()).anyMatch(n -> n.contains("rewritten by lazy_loading already (it imports _fleetshell_lazy)"));
        }

        @Test
        void aNameAnImporterReadsThroughTheModuleWhileItLoadsStaysEager() {
            Rewrite rewrite = assertRewrite(LAZY, PY311, Map.of(ImporterReads.OPTION_AT_IMPORT_TIME, "json@/fleet/agent.py:3 reads it"), """
                    import json
                    import csv


                    def dump(x):
                        return json.dumps(x), csv.writer
                    """, """
                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   kept eager: `import json` (line 1): an importer needs it while it loads (rule 1 across importers): /fleet/agent.py:3 reads it
                    #   deferred: `import csv` (line 2)
                    <loader>
                    import json
                    csv = _fleetshell_lazy("csv", "csv")
                    del _fleetshell_lazy


                    def dump(x):
                        return json.dumps(x), csv.writer
                    """);
            assertThat(rewrite.changes()).isTrue();
        }

        @Test
        void theHelperModuleIsTheLoaderUnderADocstringAndCompiles() throws Exception {
            String helper = new String(DeferHeavyImports.helperModule(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(helper).startsWith("\"\"\"The loader of fleetshell's lazy_loading").endsWith(RewriteTest.LOADER)
                    .doesNotContain("\r");
            java.nio.file.Path file = java.nio.file.Files.createTempFile("helper", ".py");
            try {
                java.nio.file.Files.writeString(file, helper);
                var run = io.fleetshell.engine.process.ProcessRun.of(RewriteTest.python(), "-c",
                        "import importlib.util,sys; s=importlib.util.spec_from_file_location('h', sys.argv[1]); m=importlib.util.module_from_spec(s); "
                                + "s.loader.exec_module(m); print(sorted(n for n in vars(m) if not n.startswith('__')))", file.toString())
                        .timeout(java.time.Duration.ofSeconds(60)).runOrFail("the check");
                assertThat(run.stdout().strip()).as(run.stderr()).isEqualTo("['_fleetshell_lazy']");
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
    }

    @Nested
    class Rule4FromImports {

        private static final String SOURCE = """
                from xmlrpc import client


                def call(x):
                    return client.dumps((x,))
                """;

        @Test
        void fromPackageImportSubmoduleIsDeferredAsASubmodule() {
            assertRewrite(LAZY, PY311, Map.of(DeferHeavyImports.OPTION_MODULE_KINDS, "xmlrpc.client:source"), SOURCE, """
                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   deferred: `from xmlrpc import client` (line 1)
                    <loader>
                    client = _fleetshell_lazy("xmlrpc.client", "xmlrpc.client")
                    del _fleetshell_lazy


                    def call(x):
                        return client.dumps((x,))
                    """);
        }

        @Test
        void fromModuleImportAttributeStaysBefore315() {
            Rewrite rewrite = assertRewrite(LAZY, PY311, Map.of(DeferHeavyImports.OPTION_MODULE_KINDS, "statistics.median:attribute"), """
                    from statistics import median


                    def mid(xs):
                        return median(xs)
                    """, null);
            assertThat(rewrite.notes()).anyMatch(n -> n.contains("`median` is not a submodule of `statistics`") && n.contains("rule 4"));
        }

        @Test
        void python315WritesPep810LazyFromForAttributesToo() {
            assertRewrite(LAZY, "3.15.0", """
                    from statistics import median
                    import json


                    def mid(xs):
                        return json.dumps(median(xs))
                    """, """
                    # fleetshell lazy_loading (Python 3.15): each deferred import below keeps its name, which loads the module on first use
                    #   deferred: `from statistics import median` (line 1)
                    #   deferred: `import json` (line 2)

                    lazy from statistics import median
                    lazy import json


                    def mid(xs):
                        return json.dumps(median(xs))
                    """);
        }
    }

    @Nested
    class Rule5NeverDeferred {

        @Test
        void issue17AFleetModuleWhoseLoadingRegistersHandlersStaysEager() {
            Rewrite rewrite = RewriteTest.assertRewrite(LAZY, PY311, java.util.Map.of(), java.util.Map.of("handlers_mod.py", """
                    import registry

                    registry.install("ping")
                    """, "registry.py", "def install(name):\n    pass\n"), """
                    import handlers_mod


                    def ping():
                        return handlers_mod.ping()
                    """, null);
            assertThat(rewrite.notes()).anyMatch(n -> n.contains("`handlers_mod` is the fleet's own code and loading it does more than "
                    + "define names (handlers_mod.py:3: the call `registry.install` runs at import), rule 5"));
        }

        @Test
        void issue17AFileThatEvaluatesStringsKeepsEveryImportEager() {
            Rewrite rewrite = assertLazy("""
                    import json


                    def dump(value):
                        return eval("json.dumps(value)")
                    """, null);
            assertThat(rewrite.notes()).anyMatch(n -> n.contains("the module reads names computed at run time (eval() on line 5)"));
        }

        @Test
        void trap6ImportInsideTryWithFallbackStays() {
            Rewrite rewrite = assertLazy("""
                    try:
                        import tomllib
                    except ImportError:
                        tomllib = None


                    def parse(text):
                        return tomllib.loads(text)
                    """, null);
            assertThat(rewrite.notes()).anyMatch(n -> n.contains("inside a try statement handling ImportError"));
        }

        @Test
        void starImportStays() {
            assertLazy("""
                    from json import *


                    def dump(x):
                        return dumps(x)
                    """, null);
        }

        @Test
        void trap7SideEffectImportStays() {
            Rewrite rewrite = assertLazy("""
                    import encodings.idna


                    def host(name):
                        return name.encode("idna")
                    """, null);
            assertThat(rewrite.notes()).anyMatch(n -> n.contains("`encodings.idna` is imported for its side effects"));
        }

        @Test
        void importsAfterASysPathChangeStayAndThoseBeforeItAreDeferred() {
            assertLazy("""
                    import os
                    import sys
                    import json

                    sys.path.insert(0, os.path.dirname(__file__))

                    import helper


                    def run():
                        return json.dumps(helper.VALUE)
                    """, """
                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   kept eager: `import os` (line 1): line 5 uses it while the module loads (module-level statement), rule 1
                    #   kept eager: `import sys` (line 2): line 5 uses it while the module loads (module-level statement), rule 1
                    #   deferred: `import json` (line 3)
                    #   kept eager: `import helper` (line 7): it follows the import-path change `sys.path.insert` on line 5, rule 5
                    <loader>
                    import os
                    import sys
                    json = _fleetshell_lazy("json", "json")
                    del _fleetshell_lazy

                    sys.path.insert(0, os.path.dirname(__file__))

                    import helper


                    def run():
                        return json.dumps(helper.VALUE)
                    """);
        }

        @Test
        void aNameAlsoBoundByAnEagerImportStays() {
            Rewrite rewrite = assertLazy("""
                    import logging
                    import logging.config


                    def setup(config):
                        logging.config.dictConfig(config)
                        return logging.getLogger()
                    """, null);
            assertThat(rewrite.notes()).anyMatch(n -> n.contains("`logging` is also bound by `import logging.config`"));
        }

        @Test
        void nativeAndPreloadedModulesStayWithTheReason() {
            Rewrite rewrite = assertRewrite(LAZY, PY311, Map.of(DeferHeavyImports.OPTION_MODULE_KINDS, "unicodedata:native,os:preloaded"), """
                    import os
                    import unicodedata


                    def name(c):
                        return unicodedata.name(c), os.sep
                    """, null);
            assertThat(rewrite.notes()).anyMatch(n -> n.contains("`unicodedata` is built in or a C extension"))
                    .anyMatch(n -> n.contains("`os` is loaded when the interpreter starts"));
        }

        @Test
        void importsInsideAModuleLevelIfStay() {
            assertLazy("""
                    import sys
                    if sys.platform == "linux":
                        import json


                    def dump(x):
                        return json.dumps(x)
                    """, null);
        }
    }

    @Nested
    class ByteExactEdits {

        @Test
        void aStatementBindingSeveralNamesIsSplitAndItsCommentKept() {
            assertLazy("""
                    import os, json  # both
                    BASE = os.getcwd()


                    def dump(x):
                        return json.dumps(x)
                    """, """
                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   kept eager: `import os` (line 1): line 2 uses it while the module loads (module-level statement), rule 1
                    #   deferred: `import json` (line 1)
                    <loader>
                    import os; json = _fleetshell_lazy("json", "json")  # both
                    del _fleetshell_lazy
                    BASE = os.getcwd()


                    def dump(x):
                        return json.dumps(x)
                    """);
        }

        @Test
        void shebangEncodingCrlfAndMissingFinalNewlineSurvive() {
            String before = "#!/usr/bin/env python3\r\n# -*- coding: utf-8 -*-\r\n\"\"\"Caf\u00e9.\"\"\"\r\nimport json\r\n\r\n\r\ndef dump(x):\r\n    return json.dumps(x)";
            String after = "#!/usr/bin/env python3\r\n# -*- coding: utf-8 -*-\r\n\"\"\"Caf\u00e9.\"\"\"\r\n"
                    + "# fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use\r\n"
                    + "#   deferred: `import json` (line 4)\r\n<loader>\r\njson = _fleetshell_lazy(\"json\", \"json\")\r\ndel _fleetshell_lazy\r\n"
                    + "\r\n\r\ndef dump(x):\r\n    return json.dumps(x)";
            assertLazy(before, after);
        }

        @Test
        void theLastDeferredImportWithoutAFinalNewlineGetsOne() {
            assertLazy("def dump(x):\n    return json.dumps(x)\n\n\nimport json", """
                    def dump(x):
                        return json.dumps(x)


                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   deferred: `import json` (line 5)
                    <loader>
                    json = _fleetshell_lazy("json", "json")
                    del _fleetshell_lazy
                    """);
        }

        @Test
        void semicolonSeparatedStatementsKeepTheirNeighbours() {
            assertLazy("""
                    import json; X = 1


                    def dump(x):
                        return json.dumps(x)
                    """, """
                    # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                    #   deferred: `import json` (line 1)
                    <loader>
                    json = _fleetshell_lazy("json", "json"); del _fleetshell_lazy; X = 1


                    def dump(x):
                        return json.dumps(x)
                    """);
        }
    }

    @Test
    void aFileThatDoesNotParseIsRefusedWithItsLine() {
        Applicability applicability = LAZY.validate(RewriteTest.input("import json\nx = (1))\n", PY311, Map.of()));
        assertThat(applicability.applies()).isFalse();
        assertThat(applicability.reasons().getFirst()).contains("agent.py:2: syntax error at line 2");
    }

    @Test
    void notesNameWhatStillChanges() {
        Rewrite rewrite = assertLazy("import json\n\n\ndef f():\n    return json\n", """
                # fleetshell lazy_loading (Python 3.11): each deferred import below keeps its name, which loads the module on first use
                #   deferred: `import json` (line 1)
                <loader>
                json = _fleetshell_lazy("json", "json")
                del _fleetshell_lazy


                def f():
                    return json
                """);
        assertThat(rewrite.notes()).anyMatch(n -> n.contains("error timing") && n.contains("first use"))
                .anyMatch(n -> n.contains("import order") && n.contains("thread")).anyMatch(n -> n.contains("first use of each deferred name pays its import"));
    }
}
