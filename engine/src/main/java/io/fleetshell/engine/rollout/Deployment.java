package io.fleetshell.engine.rollout;

import java.time.Instant;
import java.util.Map;

/**
 * A deployment's record.
 *
 * @param id         its id
 * @param createdAt  when it was planned
 * @param finishedAt when it ended, or null while it runs or waits
 * @param pattern    the pattern id(s)
 * @param options    the options it ran with, as typed ({@code batch_size}, {@code interval}, ...)
 * @param state      where it stands
 * @param control    what another shell asked of it (pause, abort), or null
 * @param summary    one line on how it ended, or null
 * @param pid        the process that ran it
 * @param host       the host that process ran on
 */
public record Deployment(long id, Instant createdAt, Instant finishedAt, String pattern, Map<String, Object> options,
                         DeploymentState state, String control, String summary, long pid, String host) {


    public Deployment {
        options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
    }

    public boolean running() {
        return state == DeploymentState.RUNNING;
    }
}
