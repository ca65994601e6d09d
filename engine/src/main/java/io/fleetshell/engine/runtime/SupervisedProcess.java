package io.fleetshell.engine.runtime;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A process fleetshell started for an agent, as its pid file records it. The pid alone could name
 * another process after a reboot or pid reuse; the process start time (from {@code /proc}, as the JDK
 * reads it) and the command line together tell whether it is still ours.
 *
 * @param pid          the agent's process (the interpreter itself: {@code setsid} execs in place)
 * @param processStart when the OS says that process started
 * @param spawnedAt    when fleetshell spawned it
 * @param command      the command line it was started with
 * @param log          where its stdout and stderr go
 */
public record SupervisedProcess(long pid, Instant processStart, Instant spawnedAt, List<String> command, Path log) {

    public SupervisedProcess {
        command = List.copyOf(command);
    }

    /** The record as a pid file holds it ({@code pid}, {@code process_start}, {@code spawned_at}, {@code command}, {@code log}). */
    static SupervisedProcess fromJson(tools.jackson.databind.JsonNode node) {
        List<String> command = new java.util.ArrayList<>();
        node.get("command").forEach(c -> command.add(c.asString()));
        return new SupervisedProcess(node.get("pid").asLong(), Instant.parse(node.get("process_start").asString()),
                Instant.parse(node.get("spawned_at").asString()), command, Path.of(node.get("log").asString()));
    }
}
