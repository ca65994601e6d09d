package io.fleetshell.engine.python;

import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.ShippedPrograms;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a sequence of fresh Python processes on a host through ONE process there ({@code load_runner.py}, passed with
 * {@code -c}: nothing is left on the host): each is {@code prefix + args[i]}, started one after the other in the order
 * given with the runner's working directory and environment (or one of its own, {@link Entry}), and its outcome streams
 * back as it finishes. Over ssh a
 * process of its own costs a session, a wrapper shell and setsid (0.2-0.5 s at load 3, more than a load), and a proof
 * takes 20 to 60 loads. The listener stops the sequence by returning false: the runner's process group, the run under
 * way included, is then killed on the host (as {@link Host#run} does on an interrupt).
 */
public final class LoadRunner {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String RUNNER = ShippedPrograms.python("load_runner.py");

    private LoadRunner() {
    }

    /** Hears each finished run, in order. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param result the run's exit status, stdout and timeout; its stderr only when stdout has no report (a last
         *               line starting with {@code &#123;}), its last 4000 characters
         * @return false to stop: no later run starts, the one under way is killed
         */
        boolean finished(int index, ProcessResult result);
    }

    /**
     * One run of a sequence: what it adds to the prefix, and, when {@code directory} is given, its own working directory
     * and environment ({@code environment} added to the runner's, {@code unset} removed from it) instead of the runner's.
     */
    public record Entry(List<String> args, java.nio.file.Path directory, java.util.Map<String, String> environment, java.util.Set<String> unset) {
        public Entry {
            args = List.copyOf(args);
            environment = java.util.Map.copyOf(environment);
            unset = java.util.Set.copyOf(unset);
        }

        /** A run in the runner's own directory and environment. */
        public static Entry of(List<String> args) {
            return new Entry(args, null, java.util.Map.of(), java.util.Set.of());
        }
    }

    /** {@link #entries} of runs that all have the runner's directory and environment. */
    public static int run(Host host, ProcessRun runner, List<String> prefix, List<List<String>> args, Duration timeout, Listener listener)
            throws CannotStartException, InterruptedException {
        return entries(host, runner, prefix, args.stream().map(Entry::of).toList(), timeout, listener);
    }

    /**
     * @param runner  the runner's own command line ({@code python -c}, the text added here), directory and environment:
     *                each run gets them; its timeout bounds the whole sequence; the files it owns are removed when the
     *                sequence ends (on a remote host by the runner's own session)
     * @param prefix  the command line every run starts with
     * @param args    each run: what it adds to the prefix, and where it runs
     * @param timeout how long one run may take before it is killed and reported as timed out
     * @return how many runs were heard of before the sequence ended or was stopped
     * @throws IllegalStateException when the runner ended before every run was reported (the message has its stderr)
     */
    public static int entries(Host host, ProcessRun runner, List<String> prefix, List<Entry> args, Duration timeout, Listener listener)
            throws CannotStartException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode head = request.putArray("prefix");
        prefix.forEach(head::add);
        ArrayNode each = request.putArray("args");
        for (Entry entry : args) {
            if (entry.directory() == null) {
                ArrayNode one = each.addArray();
                entry.args().forEach(one::add);
                continue;
            }
            ObjectNode one = each.addObject();
            entry.args().forEach(one.putArray("args")::add);
            one.put("directory", entry.directory().toString());
            ObjectNode environment = one.putObject("environment");
            new java.util.TreeMap<>(entry.environment()).forEach(environment::put);
            new java.util.TreeSet<>(entry.unset()).forEach(one.putArray("unset")::add);
        }
        request.put("timeout", timeout.toMillis() / 1000.0);
        List<String> command = new ArrayList<>(runner.command());
        command.addAll(List.of("-c", RUNNER));
        ProcessRun run = new ProcessRun(command, runner.directory(), runner.environment(), runner.unset(), JSON.writeValueAsBytes(request),
                runner.timeout(), runner.stdoutLimit(), runner.stderrLimit(), false, null, runner.owned(), runner.lifeline());
        int[] heard = {0};
        boolean[] stopped = {false};
        RuntimeException[] failed = {null};
        Thread caller = Thread.currentThread();
        ProcessRun.StdoutReader<Void> reader = stdout -> {
            BufferedReader lines = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode json = JSON.readTree(line);
                int index = json.path("index").asInt();
                List<String> started = new ArrayList<>(prefix);
                started.addAll(args.get(index).args());
                ProcessResult result = new ProcessResult(started, json.path("status").asInt(), json.path("stdout").asString(""),
                        json.path("stderr").asString(""), Duration.ZERO, json.path("timed_out").asBoolean(), false);
                heard[0] = index + 1;
                boolean goOn;
                try {
                    goOn = listener.finished(index, result);
                } catch (RuntimeException e) {
                    failed[0] = e;
                    goOn = false;
                }
                if (!goOn) {
                    stopped[0] = true;
                    caller.interrupt(); // Host.run kills the runner's group, on the host too, when its caller is interrupted
                    return null;
                }
            }
            return null;
        };
        ProcessResult result = null;
        try {
            result = host.run(run, reader).result();
        } catch (InterruptedException e) {
            if (!stopped[0]) {
                throw e;
            }
        }
        if (stopped[0]) {
            Thread.interrupted(); // ours: the sequence was stopped on purpose
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        if (!stopped[0] && heard[0] < args.size()) {
            throw new IllegalStateException("the load runner on %s ended after %d of %d runs (exit status %s): %s".formatted(host.describe(),
                    heard[0], args.size(), result == null ? "?" : result.exitStatus(), result == null ? "" : result.tail(600)));
        }
        return heard[0];
    }
}
