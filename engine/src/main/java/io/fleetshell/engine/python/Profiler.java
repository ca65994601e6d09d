package io.fleetshell.engine.python;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.InParallel;
import io.fleetshell.engine.Progress;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;
import io.fleetshell.engine.process.ShippedPrograms;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.ImportTiming;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;


import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Measures agents by loading each one as a module in fresh processes of its own interpreter, with
 * {@code -X importtime}, through the shipped {@code load_probe.py}, on the agent's machine (a {@link Host}: this
 * computer or one reached over ssh; the probe is passed with {@code -c}, as the other shipped programs are, so nothing
 * is left there and the agent's stdin stays what it was). Each sample is a new process, so nothing cached by one run
 * helps the next; each records the load average of the machine it ran on when it started.
 */
public final class Profiler implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** stderr carries one {@code -X importtime} line per module: a few hundred kB for the heaviest agents seen. */
    private static final int IMPORT_TIMES_KEPT = 64 << 20;
    private static final String PROBE = ShippedPrograms.python("load_probe.py");

    private final Duration timeout;
    private final Host host;
    private final Path bytecodeCache;

    /** A profiler of agents on this computer. */
    public Profiler(Duration timeout, Path bytecodeCache) {
        this(timeout, new LocalHost("local", bytecodeCache), bytecodeCache);
    }

    /**
     * @param timeout       how long one load may take before its process is killed (on the host too) and the sample fails
     * @param host          where the agents' files and interpreters are, and where the loads run
     * @param bytecodeCache where the interpreter keeps compiled bytecode on that host ({@code PYTHONPYCACHEPREFIX}):
     *                      agents start with their bytecode cached in real life, and nothing is written into the fleet
     */
    public Profiler(Duration timeout, Host host, Path bytecodeCache) {
        this.timeout = timeout;
        this.host = host;
        this.bytecodeCache = bytecodeCache;
    }

    /** Where the loads run. */
    public Host host() {
        return host;
    }

    /**
     * {@code runs} samples of one agent after one unrecorded warm-up load (which fills the bytecode
     * cache and the OS file cache); stops at the first failed load, which later runs would repeat.
     */
    public AgentProfile profile(ProfileTarget target, int runs) {
        Progress.update(target.agent(), "warm-up load");
        LoadSample warmUp = sample(target, 0);
        if (!warmUp.ok()) {
            return new AgentProfile(target, List.of(new LoadSample(1, false, warmUp.loadMillis(), warmUp.peakRssKb(),
                    warmUp.modulesLoaded(), List.of(), List.of(), warmUp.python(), warmUp.error())), host.describe());
        }
        List<LoadSample> samples = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Progress.count(target.agent(), "load", run, runs);
            LoadSample sample = sample(target, run);
            samples.add(sample);
            if (!sample.ok()) {
                break;
            }
        }
        return new AgentProfile(target, samples, host.describe());
    }

    /**
     * Profiles several agents, {@code parallelism} at a time, in the order given; {@code done} hears of
     * each agent as it finishes.
     */
    public List<AgentProfile> profileAll(List<ProfileTarget> targets, int runs, int parallelism, Consumer<AgentProfile> done) {
        return InParallel.map(targets, parallelism, target -> {
            AgentProfile profile = profile(target, runs);
            Progress.end(target.agent());
            done.accept(profile);
            return profile;
        }, "profiling");
    }

    /**
     * One fresh process: load the agent and read back the probe's report. A load that fails while reading a file of
     * fleetshell's own bytecode cache (truncated by a full disk: {@code EOFError: marshal data too short}) is the
     * cache's failure, not the agent's: the file is removed and the load runs once more; failing so again, the sample
     * says it is fleetshell's error.
     */
    public LoadSample sample(ProfileTarget target, int run) {
        LoadSample sample = load(target, run);
        String damaged = damagedCacheFile(sample);
        if (damaged == null) {
            return sample;
        }
        String removed = removeFromCache(Path.of(damaged));
        LoadSample again = load(target, run);
        if (damagedCacheFile(again) == null) {
            return again;
        }
        return failed(run, "FleetshellCacheError", ("fleetshell's own bytecode cache is damaged: %s failed with %s: %s (a full disk "
                + "under FLEETSHELL_HOME leaves such files). This is fleetshell's error, not %s's: %s; free space and delete %s")
                .formatted(damaged, sample.error().type(), sample.error().message(), target.agent(), removed, bytecodeCache), again.loadAverage());
    }

    /** The cache file a failed load was reading, when it lies inside fleetshell's cache; else null. */
    private String damagedCacheFile(LoadSample sample) {
        if (sample.ok() || sample.error() == null || sample.error().cacheFile() == null || bytecodeCache == null) {
            return null;
        }
        Path file = Path.of(sample.error().cacheFile()).toAbsolutePath().normalize();
        return file.startsWith(bytecodeCache.toAbsolutePath().normalize()) ? file.toString() : null;
    }

    private String removeFromCache(Path file) {
        try {
            host.delete(file);
            return "the file was removed and the load tried again";
        } catch (IOException e) {
            return "the file could not be removed (" + e.getMessage() + ")";
        }
    }

    private LoadSample load(ProfileTarget target, int run) {
        ProcessResult result;
        try {
            result = host.run(asLoaded(target, ProcessRun.of(target.python(), "-X", "importtime", "-c", PROBE, target.script().toString()))
                    .keep(ProcessRun.DEFAULT_LIMIT, IMPORT_TIMES_KEPT).timeout(timeout));
        } catch (CannotStartException e) {
            throw cannotStart(target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "profiling was interrupted; nothing was stored");
        }
        return toSample(result, run);
    }

    /** The agent's working directory and environment, and the bytecode cache, as every load of it has them. */
    private ProcessRun asLoaded(ProfileTarget target, ProcessRun run) {
        // An inherited PYTHONDONTWRITEBYTECODE with a cache prefix would recompile the standard library on every run.
        return run.in(target.workingDirectory()).environment(target.environment()).without("PYTHONDONTWRITEBYTECODE")
                .environment("PYTHONPYCACHEPREFIX", bytecodeCache.toString());
    }

    private FleetshellException cannotStart(ProfileTarget target, CannotStartException e) {
        return new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot start the interpreter '%s' for %s%s: %s. "
                .formatted(target.python(), target.agent(), on(), e.getMessage()) + fix());
    }

    /** A finished load process, run directly or by the runner, as a sample: one reading of the probe's report for both. */
    private LoadSample toSample(ProcessResult result, int run) {
        if (result.timedOut()) {
            return failed(run, "Timeout", "loading took longer than %d s and was stopped".formatted(timeout.toSeconds()), Double.NaN);
        }
        String report = result.report();
        if (!report.startsWith("{")) {
            return failed(run, "ProbeFailed", "the interpreter exited with status %d without a report: %s"
                    .formatted(result.exitStatus(), tail(result.stderr())), Double.NaN);
        }
        JsonNode json = JSON.readTree(report);
        // the host's own load average as the probe started: the machine whose cores the load competed for
        double loadAverage = json.path("load_average").isNumber() ? json.path("load_average").asDouble() : Double.NaN;
        return toSample(run, json, ImportTimeParser.parse(result.stderr()), loadAverage);
    }

    /** Hears each pair of {@link #pairs} in order. */
    @FunctionalInterface
    public interface PairListener {
        /** @return false to stop: no later pair is loaded (the load under way is killed) */
        boolean paired(int pair, LoadSample original, LoadSample changed);
    }

    /**
     * Loads {@code original} and {@code changed} in pairs through one runner ({@link #loads}): a warm-up load of each first
     * (the bytecode and file caches filled, not heard of), then pair 1, 2, ... up to {@code maxPairs}, the original first
     * in odd pairs and the changed one first in even pairs, so that neither side always runs on the warmer machine.
     * {@code starting} hears a pair's number when its first load is done, {@code each} the pair when both are.
     *
     * @param owned a file the loads read last, removed on the host with the runner (see {@link Owned}), or null
     */
    public void pairs(ProfileTarget original, ProfileTarget changed, int maxPairs, java.util.function.IntConsumer starting,
                      PairListener each, Owned owned) {
        int[] order = new int[2 + 2 * maxPairs];
        int[] runs = new int[order.length];
        order[1] = 1;
        for (int pair = 1; pair <= maxPairs; pair++) {
            int at = 2 * pair;
            order[at] = pair % 2 == 1 ? 0 : 1;
            order[at + 1] = 1 - order[at];
            runs[at] = pair;
            runs[at + 1] = pair;
        }
        LoadSample[] pairOf = new LoadSample[2];
        loads(List.of(original, changed), order, runs, (index, sample) -> {
            if (index < 2) {
                return true; // a warm-up
            }
            if (index % 2 == 0) {
                starting.accept(runs[index]);
            }
            pairOf[order[index]] = sample;
            return index % 2 == 0 || each.paired(runs[index], pairOf[0], pairOf[1]);
        }, owned);
    }

    /** Hears each load of {@link #loads} in order. */
    @FunctionalInterface
    public interface LoadListener {
        /** @return false to stop: the loads not yet heard of are not taken (the one under way is killed) */
        boolean loaded(int index, LoadSample sample);
    }

    /**
     * Loads {@code targets.get(order[i])} for each {@code i} in turn, each a fresh process measured exactly as {@link #sample}
     * measures one (the same probe, interpreter, directory, environment and cache), but all started by ONE runner process on
     * the host ({@link LoadRunner}) that streams each finished load: {@code each} hears
     * them in order, and returning false stops the runner's process group (on the host too) so that no later load runs. The
     * targets share the interpreter; each loads in its own working directory and environment (a file and its rewrite share
     * them, an agent and its copy in a changed fleet do not). Why one process:
     * over ssh a load of its own costs a session, a wrapper shell and setsid, more than the load itself; on this computer
     * the runner measured no slower than direct starts (see the Prover's load time). A load whose failure is a damaged file
     * of fleetshell's own cache is taken once more through {@link #sample}, which removes that file first.
     *
     * @param runs the run number of each sample, by its place in {@code order}
     */
    public void loads(List<ProfileTarget> targets, int[] order, int[] runs, LoadListener each) {
        loads(targets, order, runs, each, null);
    }

    /**
     * A file the loads read that nothing needs after them (a proof's hidden sibling holding the rewrite), and its bytes:
     * each runner owns it, so the host removes it as the last runner ends, in the runner's own session rather than one of
     * its own; a load taken again after a runner (a damaged cache file) writes it back first.
     */
    public record Owned(Path file, byte[] content) {
    }

    /**
     * {@link #loads(List, int[], int[], LoadListener)}, {@code owned} removed on the host with the last runner (see
     * {@link Owned}; null for none). When this returns normally it is gone.
     */
    public void loads(List<ProfileTarget> targets, int[] order, int[] runs, LoadListener each, Owned owned) {
        ProfileTarget first = targets.getFirst();
        // the runner's lines are read on another thread: the listener's reports (a proof's "load time, pair N") go to
        // the command's progress line as they would from this thread
        Progress.Listener progress = Progress.current();
        int next = 0;
        while (next < order.length) {
            int from = next;
            int[] damaged = {-1};
            List<LoadRunner.Entry> args = new ArrayList<>();
            for (int i = from; i < order.length; i++) {
                args.add(entry(first, targets.get(order[i])));
            }
            ProcessRun runner = asLoaded(first, ProcessRun.of(first.python())).timeout(timeout.multipliedBy(args.size() + 1));
            try {
                LoadRunner.entries(host, owned == null ? runner : runner.owning(owned.file()),
                        List.of(first.python(), "-X", "importtime", "-c", PROBE), args, timeout, (at, result) -> {
                            int index = from + at;
                            LoadSample sample = toSample(result, runs[index]);
                            if (damagedCacheFile(sample) != null) {
                                damaged[0] = index;
                                return false;
                            }
                            if (progress == null) {
                                return each.loaded(index, sample);
                            }
                            try (Progress.Binding bound = Progress.bind(progress)) {
                                return each.loaded(index, sample);
                            }
                        });
            } catch (CannotStartException e) {
                throw cannotStart(first, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, "profiling was interrupted; nothing was stored");
            } catch (IllegalStateException e) {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, "loading %s%s failed: %s".formatted(first.agent(), on(), e.getMessage()));
            }
            if (damaged[0] < 0) {
                return;
            }
            int index = damaged[0];
            if (owned != null) {
                writeBack(owned);
            }
            boolean goOn = each.loaded(index, sample(targets.get(order[index]), runs[index]));
            next = index + 1;
            if (!goOn || next >= order.length) {
                if (owned != null) {
                    host.deleteOwnQuietly(owned.file());
                }
                return;
            }
        }
    }

    /** Writes back a file a runner removed as it ended, for the load taken again and the runner after it. */
    private void writeBack(Owned owned) {
        try {
            host.writeFresh(owned.file(), owned.content());
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot write %s%s back to load it again after a damaged cache file: %s; "
                    .formatted(owned.file(), on(), e.getMessage()) + "nothing was changed");
        }
    }

    /**
     * One load of {@code target} by the runner started as {@code first}'s loads are: in the runner's directory and
     * environment when the target's are the same, else in its own (the agent from a changed copy of the fleet).
     */
    private LoadRunner.Entry entry(ProfileTarget first, ProfileTarget target) {
        List<String> args = List.of(target.script().toString());
        if (target.workingDirectory().equals(first.workingDirectory()) && target.environment().equals(first.environment())) {
            return LoadRunner.Entry.of(args);
        }
        java.util.Set<String> unset = new java.util.HashSet<>(first.environment().keySet());
        unset.removeAll(target.environment().keySet());
        return new LoadRunner.Entry(args, target.workingDirectory(), target.environment(), unset);
    }

    /** Where the loads ran, for messages: nothing on this computer. */
    private String on() {
        return host.onMachine();
    }

    private String fix() {
        return host instanceof LocalHost ? "Set python: in the machine's global_settings to an interpreter that exists, then inventory refresh."
                : ("Set machines.%s.python in settings.yaml (or python: in the config's global_settings) to an interpreter that exists "
                + "on that host, then inventory refresh.").formatted(host.name());
    }

    private static LoadSample toSample(int run, JsonNode report, List<ImportTiming> imports, double loadAverage) {
        boolean ok = report.path("ok").asBoolean(false);
        LoadSample.LoadError error = ok ? null : new LoadSample.LoadError(report.path("error_type").asString("Error"),
                report.path("message").asString(""), report.path("line").isNumber() ? report.path("line").asInt() : null,
                report.path("cache_file").asString(null));
        List<LoadSample.StatementCost> statements = new ArrayList<>();
        for (JsonNode s : report.path("statements")) {
            statements.add(new LoadSample.StatementCost(s.get(0).asString(), s.get(1).asInt(), s.get(2).asDouble(), s.get(3).asLong()));
        }
        return new LoadSample(run, ok, report.path("load_ms").asDouble(), report.path("rss_kb").asLong(),
                report.path("modules_after").asInt() - report.path("modules_before").asInt(),
                ok ? imports : List.of(), ok ? statements : List.of(), report.path("python").asString(null), error,
                report.path("cpu_ms").isNumber() ? report.path("cpu_ms").asDouble() : Double.NaN, loadAverage);
    }

    private static LoadSample failed(int run, String type, String message, double loadAverage) {
        return new LoadSample(run, false, 0, 0, 0, List.of(), List.of(), null, new LoadSample.LoadError(type, message, null),
                Double.NaN, loadAverage);
    }

    private static String tail(String text) {
        String stripped = text.strip();
        return stripped.length() <= 400 ? stripped : "..." + stripped.substring(stripped.length() - 400);
    }

    /** Nothing to release: the probe travels with each load. Kept so that callers scope a profiler as before. */
    @Override
    public void close() {
    }
}
