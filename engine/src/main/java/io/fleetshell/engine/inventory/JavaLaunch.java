package io.fleetshell.engine.inventory;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a Java agent is built and started, from its startup config entry. The script is the agent's
 * main source file; fleetshell compiles it (with the other sources under {@code sourceRoot}) against
 * {@code classpath} and starts {@code java -cp ... mainClass}, unless {@code runCommand} says otherwise. It
 * serializes (in {@code inventory show --json}) with the launcher first.
 *
 * @param mainClass  {@code main_class:}, the binary name of the class with {@code main}; null to take the
 *                   one the source declares
 * @param sourceRoot {@code source_root:}, the directory of the agent's other sources (relative to the fleet
 *                   root), or null for a single-file agent
 * @param classpath  {@code classpath:}, entries (relative to the fleet root) compiled and run against
 * @param jvmOptions {@code jvm_options:}, passed to {@code java} before the main class
 * @param java       the launcher: settings.yaml's {@code machines.NAME.java:}, else {@code java:} of the entry or of
 *                   {@code global_settings}, else {@value #ON_PATH} for a machine reached over ssh; null for the JDK
 *                   fleetshell runs on (a JDK 25, whose compiler builds the classes it runs)
 * @param runCommand {@code run_command:}, a command line that starts the agent instead (e.g. from a jar), or null
 */
@JsonPropertyOrder({"java"})
public record JavaLaunch(String mainClass, String sourceRoot, List<String> classpath, List<String> jvmOptions,
                         String java, String runCommand) {

    /** The launcher of a machine reached over ssh without a {@code java:} setting: the one on its PATH. */
    public static final String ON_PATH = "java";

    public static final JavaLaunch DEFAULT = new JavaLaunch(null, null, List.of(), List.of(), null, null);

    public JavaLaunch {
        classpath = classpath == null ? List.of() : List.copyOf(classpath);
        jvmOptions = jvmOptions == null ? List.of() : List.copyOf(jvmOptions);
        java = java == null || java.isBlank() ? null : java;
    }

    /**
     * How the agent runs in production: {@code sh -c run_command}, else the source launcher,
     * {@code java [jvm_options] [-cp classpath] Main.java} (a single file since Java 11, with the other
     * sources of its tree since Java 22), which is what a supervisor starts and times to healthy.
     */
    public List<String> command(Path script, Path fleetRoot) {
        if (runCommand != null) {
            return List.of("sh", "-c", runCommand);
        }
        List<String> command = new ArrayList<>(List.of(launcher()));
        command.addAll(jvmOptions);
        if (!classpath.isEmpty()) {
            command.add("-cp");
            command.add(String.join(File.pathSeparator, classpath.stream().map(e -> fleetRoot.resolve(e).toString()).toList()));
        }
        command.add(script.toString());
        return command;
    }

    /** The {@code java} command to run: the configured one, else the one of the JDK fleetshell runs on. */
    public String launcher() {
        return java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
