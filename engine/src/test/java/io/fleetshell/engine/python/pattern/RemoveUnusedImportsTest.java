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
}
