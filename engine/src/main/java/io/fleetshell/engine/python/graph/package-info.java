/**
 * The fleet-wide import graph of the Python agents: which of the fleet's own modules (files under a fleet root that
 * agents import, directly or transitively) each agent loads, who imports each one and from which line, resolved from
 * the static facts of {@code python.analysis} so it needs no profile; and each module's imports judged for every
 * importer (LAZY_IMPORTS.md, "Shared modules") and priced from the stored {@code -X importtime} trees. Module names
 * resolve as an agent's interpreter would find them: beside the agent's script, on the machine's PYTHONPATH, then at
 * the fleet root, among the files of the agent's machine, read on its host.
 */
package io.fleetshell.engine.python.graph;
