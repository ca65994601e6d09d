package io.fleetshell.engine.python.analysis;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.InParallel;
import io.fleetshell.engine.analysis.ParseError;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.ShippedPrograms;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs the Python helper {@code agent_facts.py} under an agent's own interpreter, on the agent's machine (its
 * {@link Host}: this computer or over ssh), and reads the facts it reports about the files there. One process analyzes
 * a whole batch (stdin: the helper itself, then the request; stdout: one JSON document; stderr: drained and kept for
 * error messages), so thousands of files cost one interpreter start. The helper travels on stdin behind a few lines
 * passed with {@code -c} ({@link #BOOT}), so nothing is left on a remote host; on this computer the same way, since a
 * cached helper file was no faster (a script run as {@code __main__} is compiled from source either way: 0.24 s both
 * ways, median of 30 runs of a one-line file, load 8).
 */
public final class PythonFacts {

    /**
     * Modules imported for what importing them does, not for a name they bind (LAZY_IMPORTS.md rule 5).
     * Their imports are never deferred and never reported as removable:
     * <ul>
     *   <li>{@code readline}, {@code rlcompleter}: importing them installs line editing and completion for {@code input()};</li>
     *   <li>{@code encodings.idna}: registers the IDNA codec; imported up front because a first lookup from a
     *       thread can fail with {@code LookupError: unknown encoding: idna};</li>
     *   <li>{@code logging.config}: {@code import logging.config} is there to make the submodule an attribute of
     *       {@code logging}; linters call it unused when {@code logging} is used;</li>
     *   <li>{@code pkg_resources}: scans installed distributions and declares namespace packages on import;</li>
     *   <li>{@code ddtrace.auto}: patches libraries for tracing on import.</li>
     * </ul>
     * Backend selection ({@code matplotlib.use}) is not in the list: it is a call, hence an import-time use
     * that keeps {@code matplotlib} eager anyway.
     */
    public static final Set<String> DEFAULT_SIDE_EFFECT_MODULES = Set.of(
            "readline", "rlcompleter", "encodings.idna", "logging.config", "pkg_resources", "ddtrace.auto");

    static final String HELPER_RESOURCE = "/io/fleetshell/python/agent_facts.py";
    private static final int STDERR_KEPT = 16 * 1024;
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(20);

    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            // Enums print as the helper spells them (import_time): an exact lookup, not a case-insensitive scan.
            .enable(EnumFeature.READ_ENUMS_USING_TO_STRING)
            // The helper ships inside this jar: an unknown field is a bug in one of the two, caught by tests.
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // Import facts leave out false flags (they are most of the output): absent means false.
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /**
     * Reads the helper from stdin and runs it as {@code __main__}; the request follows it on the same stdin. It checks
     * the version first, in syntax any Python 3 reads, so that a too old interpreter says so instead of failing on
     * the helper's syntax.
     */
    static final String BOOT = "import sys\n"
            + "if sys.version_info < (3, 8):\n"
            + "    sys.stderr.write(\"fleetshell's analysis helper needs Python 3.8 or newer; this is %d.%d.%d\\n\" % sys.version_info[:3])\n"
            + "    sys.exit(3)\n"
            + "n = int(sys.stdin.buffer.readline())\n"
            + "exec(compile(sys.stdin.buffer.read(n), 'agent_facts.py', 'exec'), {'__name__': '__main__', '__builtins__': __builtins__})\n";
    /** What the helper exits with when the interpreter is older than it needs. */
    private static final int TOO_OLD = 3;
    /** The helper as {@link #BOOT} reads it: its length on a line, then its bytes. */
    private static final byte[] SHIPPED = shipped();
    /** Where the analysis runs when the caller names no host. */
    private static final Host THIS_COMPUTER = new LocalHost("local", Path.of("/"));


    /** A timeout that grows with the batch: 20 s plus 25 ms a file (about ten times what a file takes here). */
    public static Duration defaultTimeout(int fileCount) {
        return Duration.ofSeconds(20).plusMillis(25L * fileCount);
    }

    /** {@link #analyze(Host, String, List, Set, List, Duration)} on this computer, without own paths, with {@link #defaultTimeout(int)}. */
    public List<FileFacts> analyze(String python, List<Path> files, Set<String> sideEffectModules) {
        return analyze(python, files, sideEffectModules, defaultTimeout(files.size()));
    }

    /** Below this many files a second interpreter costs more to start than it saves. */
    static final int FILES_PER_EXTRA_PROCESS = 400;

    /** {@link #analyzeInParallel(Host, String, List, Set, List, int)} on this computer, without own paths. */
    public List<FileFacts> analyzeInParallel(String python, List<Path> files, Set<String> sideEffectModules, int processes) {
        return analyzeInParallel(THIS_COMPUTER, python, files, sideEffectModules, List.of(), processes);
    }

    /** {@link #analyzeInParallel(Host, String, List, Set, List, int)} on this computer. */
    public List<FileFacts> analyzeInParallel(String python, List<Path> files, Set<String> sideEffectModules, List<Path> ownPaths,
                                             int processes) {
        return analyzeInParallel(THIS_COMPUTER, python, files, sideEffectModules, ownPaths, processes);
    }

    /**
     * Like {@link #analyze(Host, String, List, Set, List, Duration)}, but a large batch is split into up to
     * {@code processes} consecutive chunks analyzed by as many interpreters at once on the host (one per core is the
     * useful most); the result keeps the order of {@code files}.
     */
    public List<FileFacts> analyzeInParallel(Host host, String python, List<Path> files, Set<String> sideEffectModules, List<Path> ownPaths,
                                             int processes) {
        return analyzeInParallel(host, Interpreter.named(python), files, sideEffectModules, ownPaths, processes);
    }

    /** {@link #analyzeInParallel(Host, String, List, Set, List, int)} with the interpreter started as {@code python} says. */
    public List<FileFacts> analyzeInParallel(Host host, Interpreter python, List<Path> files, Set<String> sideEffectModules, List<Path> ownPaths,
                                             int processes) {
        int chunks = Math.max(1, Math.min(processes, files.size() / FILES_PER_EXTRA_PROCESS));
        if (chunks == 1) {
            return analyze(host, python, files, sideEffectModules, ownPaths, defaultTimeout(files.size()));
        }
        int size = (files.size() + chunks - 1) / chunks;
        List<List<Path>> parts = new ArrayList<>();
        for (int i = 0; i < files.size(); i += size) {
            parts.add(files.subList(i, Math.min(files.size(), i + size)));
        }
        List<FileFacts> all = new ArrayList<>(files.size());
        InParallel.map(parts, parts.size(), part -> analyze(host, python, part, sideEffectModules, ownPaths, defaultTimeout(part.size())),
                "analysis").forEach(all::addAll);
        return all;
    }

    /** {@link #analyze(Host, String, List, Set, List, Duration)} on this computer, without own paths. */
    public List<FileFacts> analyze(String python, List<Path> files, Set<String> sideEffectModules, Duration timeout) {
        return analyze(THIS_COMPUTER, python, files, sideEffectModules, List.of(), timeout);
    }

    /** {@link #analyze(Host, String, List, Set, List, Duration)} on this computer. */
    public List<FileFacts> analyze(String python, List<Path> files, Set<String> sideEffectModules, List<Path> ownPaths, Duration timeout) {
        return analyze(THIS_COMPUTER, python, files, sideEffectModules, ownPaths, timeout);
    }

    /**
     * Analyzes the files in one process of {@code python} on {@code host}; the result has one entry per file, in order.
     * A file that does not parse has a {@link ParseError}; only a failure of the whole run throws. An import of a module
     * found in a file's own directory or in {@code ownPaths} (the machine's PYTHONPATH) is of the fleet's own code, and
     * counts as side-effecting unless the helper shows that loading it only defines names ({@link ImportFact#ownEffect()}).
     *
     * @param host              the machine the files and the interpreter are on
     * @param python            the interpreter command or path there (the agent's own, so syntax and annotation
     *                          rules are those of the interpreter that runs the agent)
     * @param files             Python sources, the host's paths; relative paths are made absolute
     * @param sideEffectModules modules whose imports are kept for their side effects, e.g.
     *                          {@link #DEFAULT_SIDE_EFFECT_MODULES}
     * @param ownPaths          directories of the fleet's own modules on the host
     * @param timeout           after this the process is killed (on the host too) and the call fails
     * @throws FleetshellException {@link ErrorCode#BAD_INPUT} when the interpreter does not exist there or is too old,
     *                             {@link ErrorCode#OPERATION_FAILED} on timeout, when the host cannot be reached or when
     *                             the helper fails
     */
    public List<FileFacts> analyze(Host host, String python, List<Path> files, Set<String> sideEffectModules, List<Path> ownPaths,
                                   Duration timeout) {
        return analyze(host, Interpreter.named(python), files, sideEffectModules, ownPaths, timeout);
    }

    /** {@link #analyze(Host, String, List, Set, List, Duration)} with the interpreter started as {@code python} says. */
    public List<FileFacts> analyze(Host host, Interpreter python, List<Path> files, Set<String> sideEffectModules, List<Path> ownPaths,
                                   Duration timeout) {
        if (files.isEmpty()) {
            return List.of();
        }
        return batch(host, python, files, null, null, sideEffectModules, ownPaths, timeout).files();
    }

    /**
     * The facts of {@code source} as if it were the file {@code file} on the host (its own modules looked up beside
     * it, as for the file itself), with the interpreter's version: a rewrite of a script analyzed before it is written
     * anywhere. The bytes travel on the helper's stdin, so the analysis is one process on the host, with no temporary
     * file to write and remove there (over ssh that was four round trips more). Fails as
     * {@link #analyze(Host, String, List, Set, List, Duration)} does.
     */
    public Batch analyzeSource(Host host, String python, Path file, byte[] source, Set<String> sideEffectModules, List<Path> ownPaths,
                               Duration timeout) {
        return batch(host, Interpreter.named(python), List.of(file), java.util.Collections.singletonList(source), null, sideEffectModules,
                ownPaths, timeout);
    }

    /**
     * {@link #analyze(Host, String, List, Set, List, Duration)} of one file, with the interpreter's version the helper
     * reports and, when {@code kinds} is given, what each of the file's module-level import targets loads (see
     * {@link ModuleKinds}): a caller that needs all three asks the host once ({@link Batch#moduleKinds()}).
     */
    public Batch analyzeWithVersion(Host host, String python, Path file, ModuleKinds kinds, Set<String> sideEffectModules,
                                    List<Path> ownPaths, Duration timeout) {
        return analyzeWithVersion(host, Interpreter.named(python), file, kinds, sideEffectModules, ownPaths, timeout);
    }

    /**
     * {@link #analyzeWithVersion(Host, String, Path, ModuleKinds, Set, List, Duration)} with the interpreter started as
     * {@code python} says; {@link Batch#executable()} then tells what its name resolved to.
     */
    public Batch analyzeWithVersion(Host host, Interpreter python, Path file, ModuleKinds kinds, Set<String> sideEffectModules,
                                    List<Path> ownPaths, Duration timeout) {
        return batch(host, python, List.of(file), null, kinds, sideEffectModules, ownPaths,
                kinds == null ? timeout : timeout.plus(kinds.timeout()));
    }

    /**
     * How the helper's interpreter is started: {@code python} (a name or a path on the host), and, when
     * {@code directory} is given, in that directory with {@code environment} added, the way the machine's agents start.
     * A configured name like {@code python3} then resolves there as it does for the agents (pyenv's
     * {@code .python-version} in the fleet root, {@code PYENV_VERSION}, the machine's {@code PATH}), so a caller that
     * analyzes once needs no separate question for the executable: over ssh, one session per host instead of two.
     */
    public record Interpreter(String python, Path directory, Map<String, String> environment) {
        public Interpreter {
            environment = Map.copyOf(environment);
        }

        /** The interpreter by name or path, started wherever the host starts processes. */
        public static Interpreter named(String python) {
            return new Interpreter(python, null, Map.of());
        }

        @Override
        public String toString() {
            return python;
        }
    }

    /**
     * Asks, in the analysis's own process, what each module-level import target of the file loads ({@code module}, or
     * {@code module.name} of a from-import; relative, star and {@code __future__} imports left out): {@code module_kinds.py}
     * runs as a child of the helper with {@code python}, in {@code directory}, the helper's environment plus
     * {@code environment} (the agent's own, as its loads run). Over ssh that is one session instead of two.
     *
     * @param python      the interpreter that answers (the agent's, resolved), or null for the helper's own: right when the
     *                    helper was started as the agents are ({@link Interpreter} with the fleet root and environment)
     * @param directory   its working directory (the fleet root)
     * @param environment variables added to its environment
     * @param timeout     how long it may take
     */
    public record ModuleKinds(String python, Path directory, Map<String, String> environment, Duration timeout) {
        public ModuleKinds {
            environment = Map.copyOf(environment);
        }
    }

    private Batch batch(Host host, Interpreter python, List<Path> files, List<byte[]> sources, ModuleKinds kinds, Set<String> sideEffectModules,
                        List<Path> ownPaths, Duration timeout) {
        List<String> paths = files.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("files", paths);
        request.put("side_effect_modules", new TreeSet<>(sideEffectModules));
        request.put("own_paths", ownPaths.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList());
        if (sources != null) {
            request.put("sources", sources.stream().map(b -> b == null ? null : java.util.Base64.getEncoder().encodeToString(b)).toList());
        }
        if (kinds != null) {
            Map<String, Object> ask = new LinkedHashMap<>();
            ask.put("program", ShippedPrograms.python("module_kinds.py"));
            if (kinds.python() != null) {
                ask.put("python", kinds.python());
            }
            ask.put("directory", kinds.directory().toString());
            ask.put("environment", new java.util.TreeMap<>(kinds.environment()));
            ask.put("timeout", kinds.timeout().toMillis() / 1000.0);
            request.put("module_kinds", ask);
        }
        byte[] requested = JSON.writeValueAsBytes(request);
        byte[] input = Arrays.copyOf(SHIPPED, SHIPPED.length + requested.length);
        System.arraycopy(requested, 0, input, SHIPPED.length, requested.length);
        String what = "Analysis of %d file%s".formatted(files.size(), files.size() == 1 ? "" : "s");
        Batch batch = run(host, python, List.of("-I", "-c", BOOT), input, timeout, what,
                stdout -> JSON.readValue(stdout, Batch.class));
        if (batch == null || batch.files() == null || batch.files().size() != paths.size()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    "%s with %s%s returned facts for %s files instead of %d. This is a bug in fleetshell's helper; nothing was changed."
                            .formatted(what, python, on(host), batch == null || batch.files() == null ? "no" : batch.files().size(), paths.size()));
        }
        return batch;
    }

    /** {@link #version(Host, String)} on this computer. */
    public String version(String python) {
        return version(THIS_COMPUTER, python);
    }

    /** The version of the interpreter on the host, e.g. {@code 3.11.7}. */
    public String version(Host host, String python) {
        return run(host, Interpreter.named(python), List.of("-I", "-c", "import platform, sys; sys.stdout.write(platform.python_version())"),
                new byte[0], VERSION_TIMEOUT, "Asking for the version", stdout -> new String(stdout.readAllBytes(), StandardCharsets.UTF_8).trim());
    }

    private static byte[] shipped() {
        byte[] script = helperBytes();
        byte[] header = (script.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] shipped = Arrays.copyOf(header, header.length + script.length);
        System.arraycopy(script, 0, shipped, header.length, script.length);
        return shipped;
    }

    static byte[] helperBytes() {
        return ShippedPrograms.text(HELPER_RESOURCE).getBytes(StandardCharsets.UTF_8);
    }

    /** Starts python on the host, feeds stdin, parses stdout with {@code reader} as it streams, keeps the head and tail of stderr. */
    private static <T> T run(Host host, Interpreter python, List<String> arguments, byte[] input, Duration timeout, String what,
                             ProcessRun.StdoutReader<T> reader) {
        List<String> command = new ArrayList<>();
        command.add(python.python());
        command.addAll(arguments);
        ProcessRun started = ProcessRun.of(command).stdin(input).keep(ProcessRun.DEFAULT_LIMIT, STDERR_KEPT).timeout(timeout);
        if (python.directory() != null) {
            started = started.in(python.directory()).environment(python.environment());
        }
        ProcessRun.Streamed<T> run;
        try {
            run = host.run(started, reader);
        } catch (CannotStartException e) {
            throw new FleetshellException(ErrorCode.BAD_INPUT,
                    ("Python interpreter '%s'%s could not be started (%s). %s "
                            + "Nothing was analyzed or changed.").formatted(python, on(host), e.getMessage(), fix(host)), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, what + " was interrupted; the Python process was stopped.");
        }
        ProcessResult result = run.result();
        if (result.timedOut()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    ("%s with %s%s did not finish within %s and was stopped. Check that `%s -c pass` starts quickly and is "
                            + "Python 3.8 or newer, or analyze fewer files at once. Nothing was changed.%s")
                            .formatted(what, python, on(host), seconds(timeout), python, stderrSuffix(result)));
        }
        String tooOld = tooOld(result);
        if (tooOld != null) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "%s with %s%s failed with exit status %d: %s. %s Nothing was analyzed or changed."
                    .formatted(what, python, on(host), result.exitStatus(), tooOld, fix(host)));
        }
        if (result.exitStatus() != 0) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    "%s with %s%s failed with exit status %d. Check that it is Python 3.8 or newer; nothing was changed.%s"
                            .formatted(what, python, on(host), result.exitStatus(), stderrSuffix(result)));
        }
        if (run.readFailed() != null) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    "%s with %s%s produced output fleetshell cannot read (%s). Check that it is a Python interpreter; if it is, this is a "
                            + "bug in fleetshell's helper. Nothing was changed.%s"
                            .formatted(what, python, on(host), run.readFailed().getMessage(), stderrSuffix(result)), run.readFailed());
        }
        return run.value();
    }

    /** Why the interpreter is too old, from what it said, or null when it is not that. */
    private static String tooOld(ProcessResult result) {
        String said = result.stderr().strip();
        if (result.exitStatus() == TOO_OLD && said.contains("needs Python 3.8 or newer")) {
            return said;
        }
        if (result.exitStatus() == 2 && said.startsWith("Unknown option: -I")) {
            return "it does not know the option -I, so it is older than Python 3.4; fleetshell's analysis helper needs Python 3.8 or newer";
        }
        return null;
    }

    /** Where it ran, for messages: nothing on this computer, {@code on machine pc2 (deploy@10.0.0.12:22)} over ssh. */
    private static String on(Host host) {
        return host.onMachine();
    }

    /** The setting that chooses the interpreter, for the host's kind of machine. */
    private static String fix(Host host) {
        return host instanceof LocalHost
                ? "Set `python:` under global_settings in the machine's startup config to an installed Python 3.8 or newer "
                + "(e.g. /usr/bin/python3), then inventory refresh."
                : ("Set machines.%s.python in settings.yaml (or `python:` under the config's global_settings) to a Python 3.8 or "
                + "newer installed on that host (e.g. /usr/bin/python3), then inventory refresh.").formatted(host.name());
    }

    private static String stderrSuffix(ProcessResult result) {
        String text = result.stderr().strip();
        return text.isEmpty() ? "" : " Its error output was:\n" + text;
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() / 1000.0 + " s";
    }

    /**
     * The helper's whole answer.
     *
     * @param python     the version of the interpreter that ran it ({@code platform.python_version()}, as {@link #version} says)
     * @param executable that interpreter's {@code sys.executable} on the host when it is an absolute path to an
     *                   executable file, else empty or null: what a name like {@code python3} resolved to
     * @param files      the facts of each file, in the order asked
     * @param moduleKinds what the first file's import targets load ({@link ModuleKinds}), in the order imported; null
     *                    when not asked or when the question failed (every target then stays eager: safe, less gain)
     */
    public record Batch(String python, String executable, List<FileFacts> files, Map<String, String> moduleKinds) {
    }
}
