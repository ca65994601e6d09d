package io.fleetshell.engine.runtime;

import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.ProcessResult;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where the processes of one machine's supervised agents live, with their pid files and logs: this computer
 * ({@link LocalProcesses}) or a remote host reached through its transport ({@link RemoteProcesses}, the pid files and
 * logs in the host's remote state directory). The {@link Supervisor} decides when to start, stop or wait; this says
 * how, on the machine the agent runs on.
 */
sealed interface AgentProcesses permits LocalProcesses, RemoteProcesses {

    /**
     * The agent's process as its pid file and the OS see it now, in one look.
     *
     * @param running the recorded process, alive and still the agent
     * @param gone    the recorded process, when it is no longer there (exited or killed outside fleetshell)
     * @param crashed the start that died before it was healthy, in words, when one is remembered
     * @param rssKb   resident memory of the running process, when known
     */
    record Look(SupervisedProcess running, SupervisedProcess gone, String crashed, Long rssKb) {
    }

    Look look(Agent agent);

    /**
     * Spawns the agent detached from fleetshell (a session of its own, output appended to its log), records its pid.
     *
     * @throws CannotSpawn when the program cannot run there (nothing runs)
     */
    Spawned spawn(Agent agent, List<String> command, Path directory, Map<String, String> environment) throws CannotSpawn;

    /** The agent's program could not be run at all; the message is the reason, as the OS or the host gave it. */
    final class CannotSpawn extends Exception {
        CannotSpawn(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /** SIGTERM to the agent's process group, SIGKILL after {@code grace}; the pid file goes. */
    StopOutcome stop(Agent agent, Duration grace);

    /**
     * Stops a process fleetshell spawned for the agent ({@code pid}, spawned at {@code spawnedAt}) that its pid file no
     * longer names, as {@link #stop} would, leaving the pid file alone: a start whose record another start overwrote or
     * removed would otherwise run on untracked. Nothing is done (not running) when the pid is gone, is the pid file's
     * process, or is no longer that process (started before the spawn, or running another script).
     */
    StopOutcome stopUntracked(Agent agent, long pid, Instant spawnedAt, Duration grace);

    /**
     * Runs a {@code restart_command} line with {@code sh -c} there, its output appended to the agent's log.
     *
     * @return the run and the log offset where its output begins
     */
    RestartRun restartCommand(Agent agent, String command, Path directory, Map<String, String> environment, Duration timeout)
            throws CannotStartException, InterruptedException;

    record RestartRun(ProcessResult result, long logOffset) {
    }

    /** The last lines the agent's log got since {@code from}. */
    String tail(Agent agent, long from);

    /** The agent's log, where it is: a path, or {@code HOST:PATH} on a remote machine. */
    String logShown(Agent agent);

    /** The log's last {@code lines} lines (all for 0) and the offset where it ended; empty lines when it does not exist. */
    LogTail.End last(Agent agent, int lines) throws java.io.IOException;

    /** Bytes of the log from {@code offset} (at most {@code max}) and its size now, for following it. */
    LogTail.Chunk read(Agent agent, long offset, int max) throws java.io.IOException;

    /** A process just spawned, until it is healthy or given up on. */
    interface Spawned {

        SupervisedProcess process();

        /** Where this start's output begins in the log. */
        long logOffset();

        /** Why the process is gone, or null while it runs. */
        String exited();

        /** Stops a start that did not become healthy: SIGTERM, SIGKILL after {@code grace}. */
        void terminate(Duration grace);

        /** Forgets a start that did not become healthy: the pid file goes, and a crash is remembered for status. */
        void forget(boolean crashed);
    }
}
