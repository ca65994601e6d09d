package io.fleetshell.engine.python.pattern;

/** An interpreter version such as {@code 3.11.2}, compared by major and minor only. */
record PythonVersion(int major, int minor) {

    /** Unknown or unparsable versions count as 3.0: nothing newer is assumed. */
    static PythonVersion parse(String version) {
        if (version == null) {
            return new PythonVersion(3, 0);
        }
        String[] parts = version.strip().split("\\.");
        try {
            return new PythonVersion(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0);
        } catch (NumberFormatException e) {
            return new PythonVersion(3, 0);
        }
    }

    boolean atLeast(int major, int minor) {
        return this.major > major || (this.major == major && this.minor >= minor);
    }

    /** PEP 810: {@code lazy import} and {@code lazy from}, Python 3.15 and newer. */
    boolean hasLazyImports() {
        return atLeast(3, 15);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
