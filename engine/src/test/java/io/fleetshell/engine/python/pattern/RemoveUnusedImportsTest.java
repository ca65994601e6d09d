package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.Rewrite;

import org.junit.jupiter.api.Test;

import static io.fleetshell.engine.python.pattern.RewriteTest.assertRewrite;
import static org.assertj.core.api.Assertions.assertThat;

/** Golden before/after tests of {@code dependency_reduction}: each removal next to each reason to keep an unused import. */
class RemoveUnusedImportsTest {

    private static final Pattern DEAD = new RemoveUnusedImports();

    private static Rewrite assertDead(String before, String after) {
        return assertRewrite(DEAD, "3.11.2", before, after);
    }

    static final String REGISTRY = """
            HANDLERS = {}


            def register(name):
                def wrap(f):
                    HANDLERS[name] = f
                    return f
                return wrap
            """;

    @Test
    void issue17AnUnusedImportOfAFleetModuleThatRegistersHandlersIsKept() {
        Rewrite rewrite = assertRewrite(DEAD, "3.11.2", java.util.Map.of(), java.util.Map.of("registry.py", REGISTRY, "handlers_mod.py", """
                from registry import register


                @register("ping")
                def ping():
                    return "pong"
                """), """
                import handlers_mod
                import registry


                def handle(name):
                    return registry.HANDLERS[name]()
                """, null);
        assertThat(rewrite.notes()).contains("kept although unused: `import handlers_mod` (line 1): `handlers_mod` is the fleet's own code "
                + "and loading it does more than define names (handlers_mod.py:4: the decorator `@register(...)` runs at import), rule 5");
    }

    @Test
    void issue17AnUnusedImportOfAFleetModuleThatOnlyDefinesNamesGoes() {
        assertRewrite(DEAD, "3.11.2", java.util.Map.of(), java.util.Map.of("registry.py", REGISTRY, "shapes/__init__.py", "", "shapes/point.py", """
                \"""Points.\"""
                import math
                from dataclasses import dataclass
                from enum import Enum

                ORIGIN = (0, 0)
                NAMES = {"x": 0, "y": 1}


                @dataclass
                class Point:
                    x: float = 0.0
                    y: float = 0.0

                    def norm(self):
                        return math.hypot(self.x, self.y)


                class Axis(Enum):
                    X = 0
                    Y = 1


                if __name__ == "__main__":
                    print(Point())
                """), """
                import registry
                import shapes.point


                def handle(name):
                    return registry.HANDLERS[name]()
                """, """
                import registry


                def handle(name):
                    return registry.HANDLERS[name]()
                """);
    }

    @Test
    void issue17AnImportOfAFleetModuleThatImportsOneWithEffectsIsKept() {
        Rewrite rewrite = assertRewrite(DEAD, "3.11.2", java.util.Map.of(), java.util.Map.of("registry.py", REGISTRY,
                "plugins/__init__.py", "from . import audio\n", "plugins/audio.py", "import registry\n\nregistry.HANDLERS['play'] = print\n"),
                "import plugins\n", null);
        assertThat(rewrite.notes()).contains("kept although unused: `import plugins` (line 1): `plugins` is the fleet's own code and loading "
                + "it does more than define names (__init__.py:1: importing audio: audio.py:3: the assignment to `registry.HANDLERS[...]` "
                + "changes what this module did not define), rule 5");
    }

    @Test
    void issue17ImportsReadThroughExecEvalAndGlobalsAllStay() {
        Rewrite rewrite = assertDead("""
                import json
                import xmlrpc.client
                import email


                def dump(value):
                    exec("print(json.dumps(value))")


                def client_name():
                    return eval("xmlrpc.client.__name__")


                def mail():
                    return globals()["email"]
                """, null);
        assertThat(rewrite.notes()).contains("kept although unused: `import json` (line 1): the module reads names computed at run time "
                + "(exec() on line 7), so every import stays");
    }

    @Test
    void issue17AFileReadingSysModulesKeepsEveryImport() {
        Rewrite rewrite = assertDead("""
                import sys
                import xmlrpc.client

                XMLRPC = "xmlrpc.client" in sys.modules
                """, null);
        assertThat(rewrite.notes()).contains("kept although unused: `import xmlrpc.client` (line 2): the module reads names computed at "
                + "run time (sys.modules on line 4), so every import stays");
    }

    @Test
    void anImportNamedByALiteralInImportIsNotADynamicRead() {
        assertDead("""
                import json
                import smtplib

                codecs = __import__("codecs")


                def dump(x):
                    return json.dumps(x)
                """, """
                import json

                codecs = __import__("codecs")


                def dump(x):
                    return json.dumps(x)
                """);
    }

    @Test
    void trap11AnUnusedImportGoesWithItsLineAndComment() {
        assertDead("""
                import json
                import smtplib  # mail reports, some day


                def dump(x):
                    return json.dumps(x)
                """, """
                import json


                def dump(x):
                    return json.dumps(x)
                """);
    }

    @Test
    void trap11ReExportedInAllIsKept() {
        Rewrite rewrite = assertDead("""
                from statistics import median

                __all__ = ["median"]
                """, null);
        assertThat(rewrite.notes()).anyMatch(n -> n.contains("re-exported in `__all__`"));
    }

    @Test
    void trap11NoqaIsKept() {
        Rewrite rewrite = assertDead("import pprint  # noqa: F401\n", null);
        assertThat(rewrite.notes()).anyMatch(n -> n.contains("`# noqa`"));
    }

    @Test
    void trap12StringAnnotationIsKept() {
        Rewrite rewrite = assertDead("""
                import ssl


                def listen(tls: "ssl.SSLContext | None" = None):
                    return tls
                """, null);
        assertThat(rewrite.notes()).anyMatch(n -> n.contains("string annotation"));
    }

    @Test
    void readByModuleGetattrIsKept() {
        assertDead("""
                import json


                def __getattr__(name):
                    return getattr(json, name)
                """, null);
    }

    @Test
    void sideEffectModuleIsKept() {
        Rewrite rewrite = assertDead("import encodings.idna\n", null);
        assertThat(rewrite.notes()).anyMatch(n -> n.contains("side effects"));
    }

    @Test
    void insideTryIsKept() {
        assertDead("""
                try:
                    import lzma
                except ImportError:
                    lzma = None
                """, null);
    }

    @Test
    void oneNameOfSeveralIsDroppedFromTheStatement() {
        assertDead("""
                import os, smtplib, sys
                from json import dumps, loads as parse  # codec

                print(os.sep, sys.argv, parse("1"))
                """, """
                import os, sys
                from json import loads as parse  # codec

                print(os.sep, sys.argv, parse("1"))
                """);
    }

    @Test
    void theOnlyStatementOfABlockBecomesPass() {
        assertDead("""
                import sys
                if sys.platform == "linux":
                    import smtplib
                """, """
                import sys
                if sys.platform == "linux":
                    pass
                """);
    }

    @Test
    void aStatementSharingItsLineBecomesPass() {
        assertDead("import smtplib; X = 1\n", "pass; X = 1\n");
    }

    @Test
    void crlfAndTheRestOfTheFileStayByteExact() {
        assertDead("#!/usr/bin/env python3\r\nimport smtplib\r\nimport json\r\nprint(json)", "#!/usr/bin/env python3\r\nimport json\r\nprint(json)");
    }

    @Test
    void nothingUnusedLeavesTheFileAlone() {
        Rewrite rewrite = assertDead("import json\nprint(json)\n", null);
        assertThat(rewrite.notes().getFirst()).startsWith("nothing to remove");
    }

    /** Issue 14: a shared module's unused import that an importer reads through it (`from common.m import json`) stays. */
    @Test
    void anUnusedImportAnImporterReadsThroughTheModuleIsKept() {
        Rewrite rewrite = assertRewrite(DEAD, "3.11.2", java.util.Map.of(ImporterReads.OPTION_LATER, "json@/fleet/agent.py:2"), """
                import json
                import csv
                X = 1
                """, """
                import json
                X = 1
                """);
        assertThat(rewrite.notes()).contains("kept although unused: `import json` (line 1): /fleet/agent.py:2 reads it through this module (`from ... import json`)");
    }

    @Test
    void aModuleAnImporterBindsWholeKeepsEveryUnusedImport() {
        Rewrite rewrite = assertRewrite(DEAD, "3.11.2", java.util.Map.of(ImporterReads.OPTION_WHOLE_MODULE, "/fleet/agent.py:1"), """
                import json
                import csv
                X = 1
                """, null);
        assertThat(rewrite.notes()).anyMatch(n -> n.contains("/fleet/agent.py:1 imports this module whole"));
    }
}
