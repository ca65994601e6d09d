package io.fleetshell.engine.python.graph;

import java.nio.file.Path;

/**
 * One module of the fleet's own code: a Python file under a fleet root that some agent imports. Its identity is the
 * file; the name is the dotted name the agents import it by ({@code common.base_agent}, {@code common} for
 * {@code common/__init__.py}).
 *
 * @param name the dotted name, relative to the import root it was found under
 * @param file the file, absolute and normalized
 * @param root the import root it was found under (the fleet root, a PYTHONPATH entry or an agent's directory)
 */
public record FleetModule(String name, Path file, Path root) {

    /** The file relative to its import root, e.g. {@code common/base_agent.py}. */
    public String relativePath() {
        return root.relativize(file).toString();
    }

    /** Whether it is a package's {@code __init__.py}. */
    public boolean isPackage() {
        return file.getFileName().toString().equals("__init__.py");
    }
}
