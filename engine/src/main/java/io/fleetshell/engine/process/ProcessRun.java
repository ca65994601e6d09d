package io.fleetshell.engine.process;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One child process to run to its end, and the one place in the engine that runs such processes. The child starts
 * in a session and process group of its own ({@code setsid}, where present), so that a timeout or an interrupt of
 * the calling thread kills the whole tree it started, grandchildren included, and a Ctrl-C in the terminal reaches
 * fleetshell alone; without {@code setsid} the descendants the child has at the kill are killed one by one. Its
 * output is drained while it runs (a full pipe never stalls it) and kept within a bound per stream. Files the run
 * owns ({@link #owning}) are deleted when it ends, however it ends.
 *
 * <p>Commands are argument lists; {@link #shell} (an {@code sh -c} line) is for command lines a user configured,
 * such as {@code test_command}. An instance is an immutable description: the {@code with}-style methods return a
 * copy, and {@link #run} may be called more than once. {@link #start} is for the one child that is not run to its
 * end but stopped by the caller (a server timed to its first healthy answer). A run with a {@link Lifeline} (an
 * {@code ssh} client) is stopped through its stdin first, so that its far end stops the real work itself.
 *
 * @param command      the program and its arguments
 * @param directory    the working directory, or null for fleetshell's own
 * @param environment  variables set on top of fleetshell's environment
 * @param unset        variables removed from it
 * @param stdin        bytes written to the child's standard input, or null for {@code /dev/null}
 * @param timeout      how long the child may run before its process group is killed
 * @param stdoutLimit  bytes of stdout kept (head and tail beyond it)
 * @param stderrLimit  bytes of stderr kept
 * @param mergeErrors  stderr goes into stdout, interleaved as written
 * @param outputFile   a file both streams are appended to instead of being kept, or null
 * @param owned        files and directories deleted (recursively) when the run ends
 * @param lifeline     how a stop reaches a child whose work runs elsewhere (its stdin held open, closed at the stop), or null
 */
public record ProcessRun(List<String> command, Path directory, Map<String, String> environment, Set<String> unset,
                         byte[] stdin, Duration timeout, int stdoutLimit, int stderrLimit, boolean mergeErrors,
                         Path outputFile, List<Path> owned, Lifeline lifeline) {

    /** Kept of each stream unless a caller asks for more: a traceback fits, a runaway child does not fill the heap. */
    public static final int DEFAULT_LIMIT = 1 << 20;
    static final File DEV_NULL = new File("/dev/null");
    private static final Optional<Path> SETSID = executable("setsid");
    /** Signals a whole process group; without it the descendants are signalled one by one. */
    static final Optional<Path> KILL = executable("kill");

    public ProcessRun {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a process needs a program to run");
        }
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        unset = Set.copyOf(unset);
        owned = List.copyOf(owned);
    }

    /** The program {@code command.get(0)} with its arguments; it needs a {@link #timeout(Duration)} before it runs. */
    public static ProcessRun of(List<String> command) {
        return new ProcessRun(command, null, Map.of(), Set.of(), null, null, DEFAULT_LIMIT, DEFAULT_LIMIT, false, null, List.of(), null);
    }

    public static ProcessRun of(String... command) {
        return of(List.of(command));
    }

    /** A command line a user configured (e.g. {@code test_command}), run by {@code sh -c}. */
    public static ProcessRun shell(String commandLine) {
        return of("sh", "-c", commandLine);
    }

    public ProcessRun in(Path directory) {
        return new ProcessRun(command, directory, environment, unset, stdin, timeout, stdoutLimit, stderrLimit, mergeErrors, outputFile, owned, lifeline);
    }

    /** Adds variables to the child's environment (later calls win). */
    public ProcessRun environment(Map<String, String> variables) {
        Map<String, String> all = new LinkedHashMap<>(environment);
        all.putAll(variables);
        Set<String> stillUnset = new LinkedHashSet<>(unset);
        stillUnset.removeAll(variables.keySet());
        return new ProcessRun(command, directory, all, stillUnset, stdin, timeout, stdoutLimit, stderrLimit, mergeErrors, outputFile, owned, lifeline);
    }

    public ProcessRun environment(String name, String value) {
        return environment(Map.of(name, value));
    }

    /** Removes a variable fleetshell itself has from the child's environment. */
    public ProcessRun without(String variable) {
        Map<String, String> all = new LinkedHashMap<>(environment);
        all.remove(variable);
        Set<String> removed = new LinkedHashSet<>(unset);
        removed.add(variable);
        return new ProcessRun(command, directory, all, removed, stdin, timeout, stdoutLimit, stderrLimit, mergeErrors, outputFile, owned, lifeline);
    }

    public ProcessRun stdin(byte[] input) {
        return new ProcessRun(command, directory, environment, unset, input.clone(), timeout, stdoutLimit, stderrLimit, mergeErrors, outputFile, owned, lifeline);
    }

    public ProcessRun timeout(Duration limit) {
        return new ProcessRun(command, directory, environment, unset, stdin, limit, stdoutLimit, stderrLimit, mergeErrors, outputFile, owned, lifeline);
    }

    /** How many bytes of stdout and of stderr are kept; beyond that, the first and the last half of it. */
    public ProcessRun keep(int stdoutBytes, int stderrBytes) {
        return new ProcessRun(command, directory, environment, unset, stdin, timeout, stdoutBytes, stderrBytes, mergeErrors, outputFile, owned, lifeline);
    }

    /** stderr interleaved into stdout, as a terminal would show them. */
    public ProcessRun mergingErrors() {
        return new ProcessRun(command, directory, environment, unset, stdin, timeout, stdoutLimit, stderrLimit, true, outputFile, owned, lifeline);
    }

    /** Both streams appended to {@code log} instead of kept: for a command whose output belongs to an agent's log. */
    public ProcessRun appendingOutputTo(Path log) {
        return new ProcessRun(command, directory, environment, unset, stdin, timeout, stdoutLimit, stderrLimit, true, log, owned, lifeline);
    }

    /** A temporary file or directory made for this run, deleted with everything in it when the run ends. */
    public ProcessRun owning(Path path) {
        List<Path> all = new ArrayList<>(owned);
        all.add(path);
        return new ProcessRun(command, directory, environment, unset, stdin, timeout, stdoutLimit, stderrLimit, mergeErrors, outputFile, all, lifeline);
    }

    /**
     * For a child that does its work elsewhere (an {@code ssh} client running the program on another host, which the
     * client's own end does not stop): its stdin becomes a pipe held open for as long as it runs, after the
     * {@link #stdin} bytes if any, and every stop (timeout, interrupt, {@link StartedProcess#stop}) goes through it
     * first ({@link Lifeline}).
     *
     * @param margin   how long the child may take, beyond the grace, to end by itself once the pipe is closed
     * @param fallback what stops the work when it has not: a connection gone, a host that hangs
     */
    public ProcessRun lifeline(Duration margin, Fallback fallback) {
        return new ProcessRun(command, directory, environment, unset, stdin, timeout, stdoutLimit, stderrLimit, mergeErrors, outputFile, owned,
                new Lifeline(margin, fallback));
    }

    /**
     * How a stop reaches a child whose work runs elsewhere. Its stdin is the lifeline: the stop writes the grace in
     * tenths of a second as one line ({@code 50\n} for 5 s) and closes it, and the far end, seeing the line or the end
     * of its input, stops the program (SIGTERM, the grace, SIGKILL) and exits, so the child ends by itself, with the
     * program's exit status: {@link #KILLED} (a shell's report of a program killed by SIGKILL) when it did not end on
     * SIGTERM within the grace. Only a child that has not ended within the grace and {@code margin}, or one stopped
     * before its stdin bytes were all written, gets the {@code fallback} before it is killed here. An end of input
     * without a line (fleetshell killed, the connection dropped) means a grace of zero.
     */
    public record Lifeline(Duration margin, Fallback fallback) {

        /** The exit status of a far end that had to kill its program after the grace: 128 + SIGKILL, as a shell reports it. */
        public static final int KILLED = 137;
    }

    /** What stops a lifeline child's work when the lifeline did not (see {@link Lifeline}). */
    @FunctionalInterface
    public interface Fallback {
        /** Stops the work, giving it {@code grace} to exit after SIGTERM; must not throw. */
        void stop(Duration grace);
    }

    /**
     * Runs the command to its end or its timeout. On timeout the process group is killed and the result says
     * {@code timedOut}; the owned files are deleted on every path.
     *
     * @throws CannotStartException when the program or the working directory does not exist (nothing ran)
     * @throws InterruptedException when the calling thread was interrupted: the process group was killed and the
     *                              owned files deleted before this is thrown
     */
    public ProcessResult run() throws CannotStartException, InterruptedException {
        return run(null).result();
    }

    /**
     * Like {@link #run()}, but stdout goes to {@code reader} as the child writes it instead of being kept: for output
     * too big to hold twice, such as a JSON document about thousands of files parsed while it streams. What the reader
     * leaves unread is discarded; the result's stdout is empty.
     */
    public <T> Streamed<T> run(StdoutReader<T> reader) throws CannotStartException, InterruptedException {
        Objects.requireNonNull(timeout, "a process run needs a timeout");
        try {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted before the process started");
            }
            return start(reader).await(timeout);
        } finally {
            deleteOwned();
        }
    }

    /** Reads a child's stdout while it runs. */
    @FunctionalInterface
    public interface StdoutReader<T> {
        T read(InputStream stdout) throws IOException;
    }

    /**
     * A run whose stdout went to a {@link StdoutReader}.
     *
     * @param value      what the reader returned, or null when it failed or had not finished when the run ended
     * @param readFailed why the reader failed (the exception it threw, or that the output did not end), or null
     */
    public record Streamed<T>(ProcessResult result, T value, Exception readFailed) {
    }

    /**
     * {@link #run()} for a caller with no better fix to offer than the reason: a program that cannot start, or an
     * interrupt (the flag is set again), becomes an {@link ErrorCode#OPERATION_FAILED} error saying nothing was changed.
     *
     * @param what what the run is for, as the start of a sentence ("the proof")
     */
    public ProcessResult runOrFail(String what) {
        try {
            return run();
        } catch (CannotStartException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, e.getMessage() + ". Nothing was changed.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, what + " was interrupted; nothing was changed");
        }
    }

    /**
     * Starts the command and returns at once, for a child that runs until the caller stops it (a server timed to its
     * first healthy answer). Its output is kept within the bounds; the timeout does not apply. {@link StartedProcess#close}
     * stops its whole process group (through the {@link #lifeline} first, when there is one) and deletes the owned files.
     *
     * @throws CannotStartException when the program or the working directory does not exist (nothing ran)
     */
    public StartedProcess start() throws CannotStartException {
        try {
            return new StartedProcess(start((StdoutReader<Void>) null), this::deleteOwned);
        } catch (CannotStartException | RuntimeException e) {
            deleteOwned();
            throw e;
        }
    }

    private <T> ChildProcess<T> start(StdoutReader<T> reader) throws CannotStartException {
        if (directory != null && !Files.isDirectory(directory)) {
            throw new CannotStartException(command, "its working directory " + directory + " does not exist", null);
        }
        List<String> argv = new ArrayList<>();
        if (SETSID.isPresent()) {
            // setsid reports a missing program as its own exit status 127, not as a failure to start: check first.
            requireExecutable();
            argv.add(SETSID.get().toString());
            argv.add("--wait");
        }
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(environment);
        unset.forEach(builder.environment()::remove);
        builder.redirectInput(stdin == null && lifeline == null ? ProcessBuilder.Redirect.from(DEV_NULL) : ProcessBuilder.Redirect.PIPE);
        if (outputFile != null) {
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()));
        }
        builder.redirectErrorStream(mergeErrors);
        long started = System.nanoTime();
        try {
            return new ChildProcess<>(this, builder.start(), started, SETSID.isPresent() && KILL.isPresent(), reader);
        } catch (IOException e) {
            throw new CannotStartException(command, e.getMessage(), e);
        }
    }

    private void requireExecutable() throws CannotStartException {
        String program = command.getFirst();
        if (program.contains("/")) {
            Path path = directory == null ? Path.of(program) : directory.resolve(program);
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new CannotStartException(command, "no executable file " + path, null);
            }
        } else if (executable(program, childPath()).isEmpty()) {
            throw new CannotStartException(command, "no executable named " + program + " on PATH", null);
        }
    }

    /** setsid looks the program up on the child's PATH: the one this run sets, else fleetshell's. */
    private String childPath() {
        return unset.contains("PATH") ? null : environment.getOrDefault("PATH", System.getenv("PATH"));
    }

    private static Optional<Path> executable(String program) {
        return executable(program, System.getenv("PATH"));
    }

    private static Optional<Path> executable(String program, String path) {
        return Stream.of(Objects.requireNonNullElse(path, "/usr/bin:/bin").split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program)).filter(file -> Files.isRegularFile(file) && Files.isExecutable(file)).findFirst();
    }

    private void deleteOwned() {
        for (Path path : owned) {
            if (!Files.exists(path)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(path)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException ignored) {
                // Something else removed part of it, or a child left a file it cannot delete: nothing more to do.
            }
        }
    }
}
