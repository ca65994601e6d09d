package io.fleetshell.engine.java;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.SafeFiles;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.inventory.Agent;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compiles a Java agent with {@code javax.tools} into a directory of its own, from a given version of
 * its main source file (the fleet's file is never touched): the other sources under its
 * {@code source_root} come along, and {@code classpath} entries resolve against the fleet root; both are read on the
 * agent's machine ({@link Host}) and copied into the build's directory here, where javac runs.
 * {@link JavaBuildCache} keeps the classes of successful builds; {@link #compile} alone always runs javac.
 *
 * <p>javac runs inside this JVM, not as a child {@code javac}: measured at load average 14-16 on 2 cores (the
 * three demo agents and {@code ClassInitProbe}, three rounds, interleaved), in-process javac in a fresh
 * C1-only JVM as the shell runs took 5.0-5.6 s for all four including its own JVM's start (2.9-3.6 s for the
 * first file, which loads javac; 0.05-1.0 s for each after), four child {@code javac} processes 22.2-29.5 s
 * (11.4-18.2 s with {@code -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC}): each child pays a JVM start and
 * loads javac afresh, and the loaded compiler stays warm in the shell. What a build costs instead is saved by
 * {@link JavaBuildCache}: at load 26 in the shell's C1-only JVM, the first compile of the session took 4.7-4.8 s,
 * each later one 0.5-2.0 s, a cache hit 1-40 ms (the sources' sha256 and the copy of the classes).
 */
public final class JavaBuild {

    private static final String CLASS_INIT_PROBE = "/io/fleetshell/java/ClassInitProbe.java";

    /**
     * The outcome of one compilation.
     *
     * @param ok          whether javac reported no error
     * @param classes     where the classes went
     * @param classpath   the run-time class path: the classes, then the agent's own entries
     * @param errors      javac's errors, {@code file:line:column: message}
     * @param cached      whether the classes came from {@link JavaBuildCache} instead of javac
     */
    public record Compiled(boolean ok, Path classes, List<Path> classpath, List<String> errors, boolean cached) {

        public Compiled {
            classpath = List.copyOf(classpath);
            errors = List.copyOf(errors);
        }

        public String classpathString() {
            return String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList());
        }
    }

    /**
     * What one compilation reads and where it writes: everything that decides its classes, which is what
     * {@link JavaBuildCache} keys them by.
     *
     * @param classes  the output directory ({@code -d})
     * @param sources  the source files, the main one first; its copy lies in the work directory
     * @param names    each source's name for the cache key: the main file's name, the others' path under the source root
     * @param options  javac's options other than {@code -d} and {@code -cp} (the copies of {@code runtime}'s entries),
     *                 {@code --release N} among them when the machine's java is older than fleetshell's JDK
     * @param runtime  the run-time class path: the classes, then the agent's own entries (compiled against), copied here
     * @param entries  the agent's own entries as its config writes them (relative to the fleet root), for the cache key
     */
    record Plan(Path classes, List<Path> sources, List<String> names, List<String> options, List<Path> runtime, List<String> entries) {

        Plan {
            sources = List.copyOf(sources);
            names = List.copyOf(names);
            options = List.copyOf(options);
            runtime = List.copyOf(runtime);
            entries = List.copyOf(entries);
        }
    }

    private static final List<String> OPTIONS = List.of("-encoding", "UTF-8", "-proc:none", "-nowarn", "-XDsuppressNotes");

    private JavaBuild() {
    }

    /** javac's options for classes that run on Java {@code release}: {@code --release} only below fleetshell's own JDK. */
    static List<String> options(int release) {
        if (release >= JavaSite.RELEASE) {
            return OPTIONS;
        }
        List<String> options = new ArrayList<>(OPTIONS);
        options.addAll(List.of("--release", String.valueOf(release)));
        return options;
    }

    /**
     * Compiles {@code source} as the agent's main file into {@code workDir/classes}; the file itself is
     * written to {@code workDir/src} under its own name, which a public class needs. The agent's other sources and its
     * class path entries are read on {@code host}, the machine's (into {@code workDir}), so a remote fleet root need not
     * be here. The classes are for the JDK fleetshell runs on (see {@link #compile(Agent, Host, Path, byte[], Path, int)}).
     */
    public static Compiled compile(Agent agent, Host host, Path fleetRoot, byte[] source, Path workDir) {
        return compile(agent, host, fleetRoot, source, workDir, JavaSite.RELEASE);
    }

    /** {@link #compile(Agent, Host, Path, byte[], Path)} for a machine's java of {@code release} ({@link JavaSite.Java#buildRelease()}). */
    public static Compiled compile(Agent agent, Host host, Path fleetRoot, byte[] source, Path workDir, int release) {
        return run(plan(agent, host, fleetRoot, source, workDir, release));
    }

    /** Writes the main file's copy into {@code workDir/src}, the rest of the build read on {@code host} beside it. */
    static Plan plan(Agent agent, Host host, Path fleetRoot, byte[] source, Path workDir, int release) {
        Path main = agent.script().path();
        try {
            Path src = Files.createDirectories(workDir.resolve("src"));
            Path classes = Files.createDirectories(workDir.resolve("classes"));
            Path copy = src.resolve(main.getFileName().toString());
            Files.write(copy, source);
            List<Path> sources = new ArrayList<>(List.of(copy));
            List<String> names = new ArrayList<>(List.of(main.getFileName().toString()));
            if (agent.java().sourceRoot() != null) {
                Path root = fleetRoot.resolve(agent.java().sourceRoot()).normalize();
                if (!root.startsWith(fleetRoot)) {
                    throw new FleetshellException(ErrorCode.PATH_ESCAPES_ROOT, "source_root of %s (%s) leaves the fleet root %s; fix it in %s:%d"
                            .formatted(agent.id(), agent.java().sourceRoot(), fleetRoot, agent.configFile(), agent.configLine()));
                }
                // sorted: the cache key must not depend on the order a directory lists in
                for (Path f : host.files(root, java.util.Set.of()).stream().filter(f -> f.toString().endsWith(".java") && !f.equals(main))
                        .sorted().toList()) {
                    String name = root.relativize(f).toString();
                    sources.add(fetch(host, f, workDir.resolve("source_root").resolve(name)));
                    names.add(name);
                }
            }
            List<Path> runtime = new ArrayList<>(List.of(classes));
            List<String> entries = agent.java().classpath();
            for (int i = 0; i < entries.size(); i++) {
                Path there = fleetRoot.resolve(entries.get(i)).normalize();
                runtime.add(fetchEntry(host, there, workDir.resolve("classpath").resolve(String.valueOf(i)).resolve(there.getFileName().toString())));
            }
            return new Plan(classes, sources, names, options(release), runtime, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file of the host copied to {@code to}. */
    private static Path fetch(Host host, Path file, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.write(to, host.read(file, SafeFiles.SCRIPT_LIMIT));
        return to;
    }

    /**
     * A class path entry of the host (a jar, or a directory of classes) copied to {@code to}, to compile against; nothing
     * there stays nothing here, as javac takes a missing entry.
     */
    private static Path fetchEntry(Host host, Path entry, Path to) throws IOException {
        java.util.Optional<io.fleetshell.engine.host.FileStat> stat = host.stat(entry);
        if (stat.isEmpty()) {
            return to;
        }
        if (stat.get().type() != io.fleetshell.engine.host.FileStat.Type.DIRECTORY) {
            return fetch(host, entry, to);
        }
        Files.createDirectories(to);
        for (Path f : host.files(entry, java.util.Set.of())) {
            fetch(host, f, to.resolve(entry.relativize(f).toString()));
        }
        return to;
    }

    /** The build of {@code ClassInitProbe}, which fleetshell ships as a source: written into {@code workDir/src}. */
    static Plan classInitProbe(Path workDir, int release) {
        try (InputStream in = JavaBuild.class.getResourceAsStream(CLASS_INIT_PROBE)) {
            if (in == null) {
                throw new IllegalStateException("ClassInitProbe.java is missing from this build");
            }
            Path src = Files.createDirectories(workDir.resolve("src")).resolve("ClassInitProbe.java");
            Files.write(src, in.readAllBytes());
            Path classes = Files.createDirectories(workDir.resolve("classes"));
            return new Plan(classes, List.of(src), List.of("ClassInitProbe.java"), options(release), List.of(classes), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs javac on a plan. */
    static Compiled run(Plan plan) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    "fleetshell runs on a Java runtime without a compiler; start it with a JDK (JAVA_HOME) to prove Java rewrites");
        }
        List<String> options = new ArrayList<>(List.of("-d", plan.classes().toString()));
        options.addAll(plan.options());
        if (plan.runtime().size() > 1) { // the copies' paths here: the cache keys the entries by name and content instead
            options.addAll(List.of("-cp", String.join(File.pathSeparator, plan.runtime().subList(1, plan.runtime().size()).stream()
                    .map(Path::toString).toList())));
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(plan.sources())).call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> errors = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> "%s:%d:%d: %s".formatted(d.getSource() == null ? "javac" : Path.of(d.getSource().toUri()).getFileName(),
                        d.getLineNumber(), d.getColumnNumber(), d.getMessage(Locale.ROOT)))
                .toList();
        return new Compiled(ok, plan.classes(), plan.runtime(), errors, false);
    }

    /** Where javac comes from, for the cache key: the JDK this JVM runs on, by its home and exact version. */
    static String compilerIdentity() {
        return System.getProperty("java.home") + " " + Runtime.version() + " " + System.getProperty("java.vendor");
    }
}
