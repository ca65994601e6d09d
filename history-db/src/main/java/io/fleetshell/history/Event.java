package io.fleetshell.history;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.fleetshell.engine.inventory.AgentId;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One command the shell ran, as the history records it: when, the command and its argv exactly as
 * given, how it ended, a one-line summary, optional JSON details, the agents it concerned, and which
 * process on which host ran it. Stored with millisecond precision; never changed once appended. It serializes
 * (the {@code history --json} output) without its details, which are the command's own output.
 *
 * @param id          assigned by {@link EventLog#append}; ignored on input
 * @param at          when the command ran
 * @param command     the command, e.g. {@code rollout}
 * @param arguments   its arguments, one element per argv word
 * @param exitStatus  the process exit status it ended with
 * @param outcome     {@value #OK}, {@value #FAILED} or {@value #INVALID}
 * @param summary     one line for the user, or null
 * @param detailsJson a JSON document with what the command produced, or null
 * @param agents      the agents it concerned, in the order the command gave them
 * @param pid         the process that ran it
 * @param host        the host that process ran on, or null
 */
public record Event(long id, Instant at, String command, List<String> arguments, int exitStatus, String outcome,
                    String summary, @JsonIgnore String detailsJson, List<AgentId> agents, long pid, String host) {

    public static final String OK = "ok";
    public static final String FAILED = "failed";
    public static final String INVALID = "invalid";

    private static final Set<String> OUTCOMES = Set.of(OK, FAILED, INVALID);

    public Event {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(command, "command");
        arguments = List.copyOf(arguments);
        agents = agents == null ? List.of() : List.copyOf(agents);
        if (!OUTCOMES.contains(outcome)) {
            throw new IllegalArgumentException("outcome must be one of " + OUTCOMES + ", not " + outcome);
        }
    }
}
