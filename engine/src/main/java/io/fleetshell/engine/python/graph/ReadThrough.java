package io.fleetshell.engine.python.graph;

import java.nio.file.Path;

/**
 * An importer that reads, while it loads, something of a module that needs one of the module's imports: the
 * reason that import stays eager although nothing in the module's own body uses it at import time
 * (LAZY_IMPORTS.md, "Shared modules": the import graph decides, not one file).
 *
 * @param importer the importing file
 * @param line     the line of the importer's statement or use
 * @param what     what it reads and why that needs the import, e.g. "uses `BaseAgent` while it loads (base class),
 *                 which runs `BaseAgent.__init_subclass__()`, where line 33 uses it"
 */
public record ReadThrough(Path importer, int line, String what) {

    /** Half a sentence, to follow "must stay eager: ". */
    public String explain() {
        return "%s:%d %s".formatted(importer, line, what);
    }
}
