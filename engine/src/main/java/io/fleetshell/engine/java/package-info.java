/**
 * Java agents: what JavaParser finds in their sources (heavy initializers, the phase each field use
 * runs in, unused imports, syntax errors) and the patterns that defer that work. Nothing here writes
 * into a fleet; compiling and measuring happen in temporary directories.
 */
package io.fleetshell.engine.java;
