package io.fleetshell.engine.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code /proc/PID/stat} says of a process: its state and when it started, in clock ticks since boot.
 *
 * <p>The ticks tell a process apart from a later one with the same pid exactly, and unlike the wall-clock start the JDK
 * derives from them ({@code ProcessHandle.Info.startInstant()}: boot time plus ticks) they do not move when the
 * computer's clock is set: a clock step between the shell that started an agent and the one that looks for it
 * (a virtual machine resumed from a snapshot, an NTP step) moved that start by seconds, and fleetshell no longer
 * recognized its own agent. A zombie (exited, not yet reaped: its parent, often an init that reaps late or never, has not
 * waited for it) holds no port and runs no code; the JDK still calls it alive.
 *
 * @param state      the state letter ({@code R}, {@code S}, {@code Z}, ...)
 * @param startTicks field 22, {@code starttime}
 */
record ProcStat(char state, long startTicks) {

    /** The process's stat, or empty when it is gone or this system has no {@code /proc}. */
    static Optional<ProcStat> of(long pid) {
        String text;
        try {
            text = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        // the command name (field 2) is in parentheses and may itself hold spaces and parentheses: fields 3.. follow the last ')'
        String[] fields = text.substring(text.lastIndexOf(')') + 1).trim().split("\\s+");
        try {
            return Optional.of(new ProcStat(fields[0].charAt(0), Long.parseLong(fields[19])));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Exited: a zombie ({@code Z}) or dead ({@code X}); it holds no port and runs no code. */
    boolean exited() {
        return state == 'Z' || state == 'X';
    }

    /** Whether pid runs: the JDK's answer, except that a zombie has exited. */
    static boolean running(ProcessHandle handle) {
        return handle.isAlive() && !of(handle.pid()).map(ProcStat::exited).orElse(false);
    }
}
