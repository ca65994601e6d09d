package io.fleetshell.engine.compare;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A span of time samples are taken from, and where it came from.
 *
 * @param source what defined it, e.g. {@code runtime baseline v2 (baseline capture)} or {@code 24h before the change}
 */
public record Window(Instant from, Instant to, String source) {

    public Duration span() {
        return Duration.between(from, to);
    }

    public Map<String, Object> asEvidence() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", from.toString());
        m.put("to", to.toString());
        m.put("source", source);
        return m;
    }
}
