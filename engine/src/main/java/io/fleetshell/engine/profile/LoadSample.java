package io.fleetshell.engine.profile;

import java.util.List;

/**
 * One measurement: the agent's file loaded as a module in a fresh interpreter process.
 *
 * @param run           1-based run number
 * @param ok            whether the load finished without an exception
 * @param loadMillis    wall time of the load itself (not the interpreter's start-up)
 * @param peakRssKb     the process's peak resident set size after the load, in KiB
 * @param modulesLoaded modules the load added to {@code sys.modules}
 * @param imports       the {@code -X importtime} lines of the load
 * @param statements    the agent's own import statements as they ran, with their measured cost
 * @param python        the interpreter's version
 * @param error         why the load failed, or null
 * @param cpuMillis     CPU time the process spent in the load (user and system, all threads), NaN where it was
 *                      not measured (Java agents, samples read back from history). Other processes on a busy
 *                      machine stretch the wall time of a load by up to 2.4x and change its CPU time by a few
 *                      per cent (measured on 2 cores at load average 6-8), so proofs decide on this one.
 * @param loadAverage   the machine's one-minute load average when the load started ({@link LoadAverage}), NaN where
 *                      it was not recorded (samples stored before it was)
 */
public record LoadSample(int run, boolean ok, double loadMillis, long peakRssKb, int modulesLoaded,
                         List<ImportTiming> imports, List<StatementCost> statements, String python, LoadError error,
                         double cpuMillis, double loadAverage) {

    public LoadSample {
        imports = List.copyOf(imports);
        statements = List.copyOf(statements);
    }

    /** A sample without a CPU time. */
    public LoadSample(int run, boolean ok, double loadMillis, long peakRssKb, int modulesLoaded,
                      List<ImportTiming> imports, List<StatementCost> statements, String python, LoadError error) {
        this(run, ok, loadMillis, peakRssKb, modulesLoaded, imports, statements, python, error, Double.NaN, Double.NaN);
    }

    /** A sample without a load average. */
    public LoadSample(int run, boolean ok, double loadMillis, long peakRssKb, int modulesLoaded,
                      List<ImportTiming> imports, List<StatementCost> statements, String python, LoadError error, double cpuMillis) {
        this(run, ok, loadMillis, peakRssKb, modulesLoaded, imports, statements, python, error, cpuMillis, Double.NaN);
    }

    /**
     * One import the agent's own module executed: the module it asked for, the line of the statement,
     * its wall time (everything it imported included) and how much the resident set grew meanwhile.
     */
    public record StatementCost(String module, int line, double millis, long rssKb) {
    }

    /**
     * Why a load failed: the exception type, its message, the agent's line it came from (or null), and the file of
     * fleetshell's bytecode cache being read when it arose (or null: then it is the agent's failure).
     */
    public record LoadError(String type, String message, Integer line, String cacheFile) {

        /** A load error that did not arise while reading fleetshell's bytecode cache. */
        public LoadError(String type, String message, Integer line) {
            this(type, message, line, null);
        }

        @Override
        public String toString() {
            return type + (line != null ? " at line " + line : "") + ": " + message;
        }
    }

    /** Imports the agent's own code made (depth 0), each with what it pulled in. */
    public List<ImportTiming> directImports() {
        return imports.stream().filter(i -> i.depth() == 0).toList();
    }
}
