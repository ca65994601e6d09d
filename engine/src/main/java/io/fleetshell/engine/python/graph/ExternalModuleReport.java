package io.fleetshell.engine.python.graph;

import io.fleetshell.engine.inventory.AgentId;

import java.nio.file.Path;
import java.util.List;

/**
 * A module outside the fleet's own code (the standard library or a third-party package) as the fleet loads it: which
 * agents' files import it directly, which profiled agents' loads contain it (also when another module pulled it in),
 * and what it cost each of those.
 *
 * @param module     the dotted module name
 * @param dependents the agents whose script, or an own module they load, imports it directly
 * @param loadedBy   the profiled agents whose latest baseline's samples load it
 * @param importers  every import statement of an agent's script or an own module that names it
 * @param self       per agent of {@code loadedBy}: the median {@code -X importtime} self time
 * @param cumulative per agent of {@code loadedBy}: the median cumulative time
 */
public record ExternalModuleReport(String module, List<AgentId> dependents, List<AgentId> loadedBy, List<Importer> importers,
                                   List<ImportCost> self, List<ImportCost> cumulative) {

    public ExternalModuleReport {
        dependents = List.copyOf(dependents);
        loadedBy = List.copyOf(loadedBy);
        importers = List.copyOf(importers);
        self = List.copyOf(self);
        cumulative = List.copyOf(cumulative);
    }

    /**
     * One statement naming the module.
     *
     * @param file        the importing file
     * @param line        its 1-based line
     * @param statement   the import as written for this name, e.g. {@code from xmlrpc import client}
     * @param moduleLevel whether it runs while the file loads
     */
    public record Importer(Path file, int line, String statement, boolean moduleLevel) {
    }
}
