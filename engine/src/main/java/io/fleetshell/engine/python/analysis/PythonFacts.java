package io.fleetshell.engine.python.analysis;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.InParallel;
import io.fleetshell.engine.analysis.ParseError;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs the Python helper {@code agent_facts.py} under an agent's own interpreter and reads the facts
 * it reports. One process analyzes a whole batch (stdin: the request, stdout: one JSON document,
 * stderr: drained and kept for error messages), so thousands of files cost one interpreter start.
 * The helper is extracted from the classpath into a directory given by the caller (for instance
 * fleetshell's cache under FLEETSHELL_HOME), under a name that contains its digest.
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

    private final Path helperDirectory;
    private final boolean temporary;

    /**
     * @param helperDirectory where the helper script is extracted (created when missing); it may be shared
     *                        by several shells, since the file name carries the script's digest
     */
    public PythonFacts(Path helperDirectory) {
        this(helperDirectory, false);
    }

    private PythonFacts(Path helperDirectory, boolean temporary) {
        this.helperDirectory = helperDirectory;
        this.temporary = temporary;
    }

    /** A runner whose helper lives in a fresh private temporary directory, removed when the JVM exits. */
    public static PythonFacts withTemporaryHelper() {
        try {
            Path directory = io.fleetshell.engine.process.Leftovers.newTempDirectory("python");
            directory.toFile().deleteOnExit();
            return new PythonFacts(directory, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A timeout that grows with the batch: 20 s plus 25 ms a file (about ten times what a file takes here). */
    public static Duration defaultTimeout(int fileCount) {
        return Duration.ofSeconds(20).plusMillis(25L * fileCount);
    }

    /** Like {@link #analyze(String, List, Set, Duration)} with {@link #defaultTimeout(int)}. */
    public List<FileFacts> analyze(String python, List<Path> files, Set<String> sideEffectModules) {
        return analyze(python, files, sideEffectModules, defaultTimeout(files.size()));
    }

    /** Below this many files a second interpreter costs more to start than it saves. */
    static final int FILES_PER_EXTRA_PROCESS = 400;

    /**
     * Like {@link #analyze(String, List, Set)}, but a large batch is split into up to {@code processes}
     * consecutive chunks analyzed by as many interpreters at once (one per core is the useful most);
     * the result keeps the order of {@code files}.
     */
    public List<FileFacts> analyzeInParallel(String python, List<Path> files, Set<String> sideEffectModules, int processes) {
        return analyzeInParallel(python, files, sideEffectModules, List.of(), processes);
    }

    /**
     * Like {@link #analyzeInParallel(String, List, Set, int)}, with the directories besides each file's own where the
     * fleet's own modules are found ({@link #analyze(String, List, Set, List, Duration)}).
     */
    public List<FileFacts> analyzeInParallel(String python, List<Path> files, Set<String> sideEffectModules, List<Path> ownPaths,
                                             int processes) {
        int chunks = Math.max(1, Math.min(processes, files.size() / FILES_PER_EXTRA_PROCESS));
        if (chunks == 1) {
            return analyze(python, files, sideEffectModules, ownPaths, defaultTimeout(files.size()));
        }
        int size = (files.size() + chunks - 1) / chunks;
        List<List<Path>> parts = new ArrayList<>();
        for (int i = 0; i < files.size(); i += size) {
            parts.add(files.subList(i, Math.min(files.size(), i + size)));
        }
        List<FileFacts> all = new ArrayList<>(files.size());
        InParallel.map(parts, parts.size(), part -> analyze(python, part, sideEffectModules, ownPaths, defaultTimeout(part.size())),
                "analysis").forEach(all::addAll);
        return all;
    }

    /**
     * Analyzes the files in one process of {@code python}; the result has one entry per file, in order.
     * A file that does not parse has a {@link ParseError}; only a failure of the whole run throws.
     *
     * @param python            the interpreter command or path (the agent's own, so syntax and annotation
     *                          rules are those of the interpreter that runs the agent)
     * @param files             Python sources; relative paths are made absolute
     * @param sideEffectModules modules whose imports are kept for their side effects, e.g.
     *                          {@link #DEFAULT_SIDE_EFFECT_MODULES}
     * @param timeout           after this the process is killed and the call fails
     * @throws FleetshellException {@link ErrorCode#BAD_INPUT} when the interpreter does not exist,
     *                             {@link ErrorCode#OPERATION_FAILED} on timeout or when the helper fails
     */
    public List<FileFacts> analyze(String python, List<Path> files, Set<String> sideEffectModules, Duration timeout) {
        return analyze(python, files, sideEffectModules, List.of(), timeout);
    }

    /**
     * Like {@link #analyze(String, List, Set, Duration)}; an import of a module found in a file's own directory or in
     * {@code ownPaths} (the machine's PYTHONPATH) is of the fleet's own code, and counts as side-effecting unless the
     * helper shows that loading it only defines names ({@link ImportFact#ownEffect()}).
     */
    public List<FileFacts> analyze(String python, List<Path> files, Set<String> sideEffectModules, List<Path> ownPaths, Duration timeout) {
        if (files.isEmpty()) {
            return List.of();
        }
        List<String> paths = files.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("files", paths);
        request.put("side_effect_modules", new TreeSet<>(sideEffectModules));
        request.put("own_paths", ownPaths.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList());
        byte[] input = JSON.writeValueAsBytes(request);
        String what = "Analysis of %d file%s".formatted(files.size(), files.size() == 1 ? "" : "s");
        Batch batch = run(python, List.of("-I", helper().toString()), input, timeout, what,
                stdout -> JSON.readValue(stdout, Batch.class));
        if (batch == null || batch.files() == null || batch.files().size() != paths.size()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    "%s with %s returned facts for %s files instead of %d. This is a bug in fleetshell's helper; nothing was changed."
                            .formatted(what, python, batch == null || batch.files() == null ? "no" : batch.files().size(), paths.size()));
        }
        return batch.files();
    }

    /** The interpreter's version, e.g. {@code 3.11.7}. */
    public String version(String python) {
        return run(python, List.of("-I", "-c", "import platform, sys; sys.stdout.write(platform.python_version())"),
                new byte[0], VERSION_TIMEOUT, "Asking for the version", stdout -> new String(stdout.readAllBytes(), StandardCharsets.UTF_8).trim());
    }

    /** The helper script on disk, extracted on first use. */
    Path helper() {
        byte[] script = helperBytes();
        String digest = HexFormat.of().formatHex(sha256(script)).substring(0, 16);
        Path target = helperDirectory.resolve("agent_facts-" + digest + ".py");
        try {
            // Content-addressed: an existing file with the same bytes is this very version; anything else is replaced.
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), script)) {
                return target;
            }
            Files.createDirectories(helperDirectory);
            Path partial = Files.createTempFile(helperDirectory, "agent_facts-", ".tmp");
            Files.write(partial, script);
            try {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
            if (temporary) {
                // Registered after the directory, so it is deleted first (deleteOnExit runs in reverse order).
                target.toFile().deleteOnExit();
            }
            return target;
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    "Could not write the analysis helper to %s: %s. Check that the directory is writable; nothing was changed."
                            .formatted(helperDirectory, e.getMessage()), e);
        }
    }

    static byte[] helperBytes() {
        try (InputStream in = PythonFacts.class.getResourceAsStream(HELPER_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(HELPER_RESOURCE + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts python, feeds stdin, parses stdout with {@code reader} as it streams, keeps the head and tail of stderr. */
    private static <T> T run(String python, List<String> arguments, byte[] input, Duration timeout, String what,
                             ProcessRun.StdoutReader<T> reader) {
        List<String> command = new ArrayList<>();
        command.add(python);
        command.addAll(arguments);
        ProcessRun.Streamed<T> run;
        try {
            run = ProcessRun.of(command).stdin(input).keep(ProcessRun.DEFAULT_LIMIT, STDERR_KEPT).timeout(timeout).run(reader);
        } catch (CannotStartException e) {
            throw new FleetshellException(ErrorCode.BAD_INPUT,
                    ("Python interpreter '%s' could not be started (%s). Set `python:` under global_settings in the "
                            + "machine's startup config to an installed Python 3.8 or newer (e.g. /usr/bin/python3), then "
                            + "inventory refresh. "
                            + "Nothing was analyzed or changed.").formatted(python, e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, what + " was interrupted; the Python process was stopped.");
        }
        ProcessResult result = run.result();
        if (result.timedOut()) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    ("%s with %s did not finish within %s and was stopped. Check that `%s -c pass` starts quickly and is "
                            + "Python 3.8 or newer, or analyze fewer files at once. Nothing was changed.%s")
                            .formatted(what, python, seconds(timeout), python, stderrSuffix(result)));
        }
        if (result.exitStatus() != 0) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    "%s with %s failed with exit status %d. Check that it is Python 3.8 or newer; nothing was changed.%s"
                            .formatted(what, python, result.exitStatus(), stderrSuffix(result)));
        }
        if (run.readFailed() != null) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED,
                    "%s with %s produced output fleetshell cannot read (%s). Check that it is a Python interpreter; if it is, this is a "
                            + "bug in fleetshell's helper. Nothing was changed.%s"
                            .formatted(what, python, run.readFailed().getMessage(), stderrSuffix(result)), run.readFailed());
        }
        return run.value();
    }

    private static String stderrSuffix(ProcessResult result) {
        String text = result.stderr().strip();
        return text.isEmpty() ? "" : " Its error output was:\n" + text;
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() / 1000.0 + " s";
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The helper's whole answer. */
    record Batch(String python, List<FileFacts> files) {
    }
}
