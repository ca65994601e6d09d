package io.fleetshell.engine.java;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.inventory.Agent;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Compiles a Java agent with {@code javax.tools} into a directory of its own, from a given version of
 * its main source file (the fleet's file is never touched): the other sources under its
 * {@code source_root} come along, and {@code classpath} entries resolve against the fleet root.
 */
public final class JavaBuild {

    /**
     * The outcome of one compilation.
     *
     * @param ok          whether javac reported no error
     * @param classes     where the classes went
     * @param classpath   the run-time class path: the classes, then the agent's own entries
     * @param errors      javac's errors, {@code file:line:column: message}
     */
    public record Compiled(boolean ok, Path classes, List<Path> classpath, List<String> errors) {

        public Compiled {
            classpath = List.copyOf(classpath);
            errors = List.copyOf(errors);
        }

        public String classpathString() {
            return String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList());
        }
    }

    private JavaBuild() {
    }

    /**
     * Compiles {@code source} as the agent's main file into {@code workDir/classes}; the file itself is
     * written to {@code workDir/src} under its own name, which a public class needs.
     */
    public static Compiled compile(Agent agent, Path fleetRoot, byte[] source, Path workDir) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    "fleetshell runs on a Java runtime without a compiler; start it with a JDK (JAVA_HOME) to prove Java rewrites");
        }
        Path main = agent.script().path();
        try {
            Path src = Files.createDirectories(workDir.resolve("src"));
            Path classes = Files.createDirectories(workDir.resolve("classes"));
            Path copy = src.resolve(main.getFileName().toString());
            Files.write(copy, source);
            List<Path> sources = new ArrayList<>(List.of(copy));
            if (agent.java().sourceRoot() != null) {
                Path root = fleetRoot.resolve(agent.java().sourceRoot()).normalize();
                if (!root.startsWith(fleetRoot)) {
                    throw new FleetshellException(ErrorCode.PATH_ESCAPES_ROOT, "source_root of %s (%s) leaves the fleet root %s; fix it in %s:%d"
                            .formatted(agent.id(), agent.java().sourceRoot(), fleetRoot, agent.configFile(), agent.configLine()));
                }
                try (Stream<Path> files = Files.walk(root)) {
                    files.filter(f -> f.toString().endsWith(".java") && !f.equals(main)).forEach(sources::add);
                }
            }
            List<Path> runtime = new ArrayList<>(List.of(classes));
            agent.java().classpath().forEach(entry -> runtime.add(fleetRoot.resolve(entry).normalize()));
            List<String> options = new ArrayList<>(List.of("-d", classes.toString(), "-encoding", "UTF-8", "-proc:none",
                    "-nowarn", "-XDsuppressNotes"));
            if (runtime.size() > 1) {
                options.addAll(List.of("-cp", String.join(File.pathSeparator, runtime.subList(1, runtime.size()).stream().map(Path::toString).toList())));
            }
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            boolean ok;
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
                ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources)).call();
            }
            List<String> errors = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> "%s:%d:%d: %s".formatted(d.getSource() == null ? "javac" : Path.of(d.getSource().toUri()).getFileName(),
                            d.getLineNumber(), d.getColumnNumber(), d.getMessage(Locale.ROOT)))
                    .toList();
            return new Compiled(ok, classes, runtime, errors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
