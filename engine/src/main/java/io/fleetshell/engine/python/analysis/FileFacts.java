package io.fleetshell.engine.python.analysis;

import io.fleetshell.engine.analysis.ParseError;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the analysis helper found in one Python file: its imports, every use of each module-level
 * import with the phase it runs in, unused imports, heavy work done at import time and import-path
 * changes. A file that could not be parsed has an {@link #error()} and nothing else.
 *
 * @param path              the file as it was passed in (absolute)
 * @param sha256            hex digest of its bytes, null when it could not be read
 * @param error             why there are no facts, or null
 * @param imports           every import statement of the file, anywhere, one fact per bound name, in source order
 * @param uses              for each name bound by a module-level import, its uses in source order
 * @param unused            module-level import names nobody reads, each with why it is kept (if it is)
 * @param heavyCalls        heavy calls run at import time or from the {@code __main__} block
 * @param sysPathChanges    module-level import-path changes
 * @param definesGetattr    the module defines {@code __getattr__} (PEP 562)
 * @param hasMainBlock      the module has an {@code if __name__ == "__main__":} block
 * @param futureAnnotations the module has {@code from __future__ import annotations}
 * @param dynamicAccess     where the module reads names by computed names ({@code exec}, {@code eval}, {@code globals()},
 *                          {@code locals()}, {@code vars()}, {@code sys.modules}, {@code __import__} of
 *                          a computed name), in source order
 * @param work              heavy start-up work, readiness hook calls and cacheable functions (see {@link WorkFacts})
 */
public record FileFacts(
        String path,
        String sha256,
        ParseError error,
        List<ImportFact> imports,
        Map<String, List<Use>> uses,
        List<UnusedImport> unused,
        List<HeavyCall> heavyCalls,
        List<SysPathChange> sysPathChanges,
        boolean definesGetattr,
        boolean hasMainBlock,
        boolean futureAnnotations,
        WorkFacts work,
        List<DynamicAccess> dynamicAccess) {

    public FileFacts {
        dynamicAccess = dynamicAccess == null ? List.of() : List.copyOf(dynamicAccess);
        imports = imports == null ? List.of() : List.copyOf(imports);
        uses = uses == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(uses));
        unused = unused == null ? List.of() : List.copyOf(unused);
        heavyCalls = heavyCalls == null ? List.of() : List.copyOf(heavyCalls);
        sysPathChanges = sysPathChanges == null ? List.of() : List.copyOf(sysPathChanges);
        work = work == null ? WorkFacts.NONE : work;
    }

    /**
     * A read of module names by a name computed at run time: nothing static can tell which imports it needs.
     *
     * @param line   1-based line
     * @param column 0-based column
     * @param what   e.g. {@code eval()}, {@code sys.modules}
     */
    public record DynamicAccess(int line, int column, String what) {
    }

    public Path file() {
        return Path.of(path);
    }

    public boolean parsed() {
        return error == null;
    }

    /** Uses of a name bound by a module-level import; empty when it has none or is not such a name. */
    public List<Use> usesOf(String bound) {
        return uses.getOrDefault(bound, List.of());
    }

    /** The imports that bind module globals, in source order. */
    public List<ImportFact> moduleLevelImports() {
        return imports.stream().filter(ImportFact::atModuleLevel).toList();
    }
}
