package io.fleetshell.engine.runtime;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A process fleetshell started for an agent, as its pid file records it. The pid alone could name
 * another process after a reboot or pid reuse; the process start (in clock ticks since boot where {@code /proc} gives
 * them, else the time as the JDK reads it) and the command line together tell whether it is still ours.
 *
 * @param pid          the agent's process (the interpreter itself: {@code setsid} execs in place)
 * @param processStart when the OS says that process started
 * @param startTicks   the same start in clock ticks since boot ({@link ProcStat}); null where there is no {@code /proc},
 *                     or in a pid file written before fleetshell recorded it
 * @param spawnedAt    when fleetshell spawned it
 * @param command      the command line it was started with
 * @param log          where its stdout and stderr go
 */
public record SupervisedProcess(long pid, Instant processStart, Long startTicks, Instant spawnedAt, List<String> command, Path log) {

    public SupervisedProcess {
        command = List.copyOf(command);
    }

    /**
     * The record as a pid file holds it ({@code pid}, {@code process_start}, {@code start_ticks} when known,
     * {@code spawned_at}, {@code command}, {@code log}).
     */
    static SupervisedProcess fromJson(tools.jackson.databind.JsonNode node) {
        List<String> command = new java.util.ArrayList<>();
        node.get("command").forEach(c -> command.add(c.asString()));
        tools.jackson.databind.JsonNode ticks = node.get("start_ticks");
        return new SupervisedProcess(node.get("pid").asLong(), Instant.parse(node.get("process_start").asString()),
                ticks == null || ticks.isNull() ? null : ticks.asLong(), Instant.parse(node.get("spawned_at").asString()), command,
                Path.of(node.get("log").asString()));
    }

    /**
     * Whether a process that started as {@code stat} (or, without one, at {@code osStart} as the JDK reads it) is this
     * record's: the same clock tick where both are known, else within {@code tolerance} of the recorded start.
     */
    boolean sameStart(Optional<ProcStat> stat, Optional<Instant> osStart, java.time.Duration tolerance) {
        if (startTicks != null && stat.isPresent()) {
            return stat.get().startTicks() == startTicks;
        }
        return osStart.map(s -> java.time.Duration.between(s, processStart).abs().compareTo(tolerance) <= 0).orElse(false);
    }
}
