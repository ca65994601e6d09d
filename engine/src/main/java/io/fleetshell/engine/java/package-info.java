/**
 * Java agents: what JavaParser finds in their sources (heavy initializers, the phase each field use runs in, unused
 * imports, syntax errors), the patterns that defer that work, and the profiler, prover and scorer that measure and
 * judge it. Nothing here writes into a fleet; compiling happens here in temporary directories (the classes of successful
 * builds are kept in FLEETSHELL_HOME/cache/javac, {@link io.fleetshell.engine.java.JavaBuildCache}), and measuring on the
 * agent's machine ({@link io.fleetshell.engine.java.JavaSite}: this computer, or a remote host the builds are shipped to).
 * The builds are for the release of that machine's {@code java} ({@code javac --release N} when it is older than the
 * JDK fleetshell runs on; Java 11 at the oldest), so what is measured and proved is what that machine runs.
 */
package io.fleetshell.engine.java;
