package io.fleetshell.history;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;

/**
 * The JSON text columns: maps and lists of plain JSON values written and read back with Jackson.
 * Numbers come back as Jackson reads them (Integer when it fits, then Long, BigInteger; Double for
 * fractions) and map entries in the order they were written.
 */
final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    static Map<String, Object> readMap(String json) {
        return MAPPER.readValue(json, new TypeReference<>() {
        });
    }

    static Map<String, String> readStringMap(String json) {
        return MAPPER.readValue(json, new TypeReference<>() {
        });
    }

    static List<String> readStringList(String json) {
        return MAPPER.readValue(json, new TypeReference<>() {
        });
    }

    static List<List<Object>> readRows(String json) {
        return MAPPER.readValue(json, new TypeReference<>() {
        });
    }

    static List<List<String>> readPairs(String json) {
        return MAPPER.readValue(json, new TypeReference<>() {
        });
    }
}
