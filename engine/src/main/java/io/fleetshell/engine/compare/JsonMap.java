package io.fleetshell.engine.compare;

import java.util.LinkedHashMap;
import java.util.Map;

/** Evidence maps keep their keys in the order written, so stored and printed evidence reads the same every time. */
final class JsonMap {

    private JsonMap() {
    }

    static Map<String, Object> of(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
