package io.fleetshell.engine.python.proof;

import io.fleetshell.engine.inventory.Agent;

import java.util.List;

/**
 * The requests that the proofs of {@code async_initialization} and {@code cache_optimization} replay on a Python agent:
 * {@code replay_requests:} in the agent's {@code config:} entry, a list of paths such as {@code /run?x=7} (a single string
 * is one request; anything not starting with {@code /} is ignored).
 */
public final class ReplayRequests {

    private ReplayRequests() {
    }

    public static List<String> of(Agent agent) {
        Object value = agent.config().get("replay_requests");
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).map(String::strip).filter(r -> r.startsWith("/")).toList();
        }
        return value instanceof String one && one.strip().startsWith("/") ? List.of(one.strip()) : List.of();
    }
}
