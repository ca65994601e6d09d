package io.fleetshell.shell.render;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON object whose keys print in the order given. {@code Map.of} iterates in an order salted per
 * JVM, which made the same report print differently in two runs.
 */
public final class JsonObject {

    private JsonObject() {
    }

    /** @param keysAndValues key, value, key, value... */
    public static Map<String, Object> of(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            object.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return object;
    }
}
