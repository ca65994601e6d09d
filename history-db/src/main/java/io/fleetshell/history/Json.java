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

    /**
     * A label set as a JSON object with its keys sorted: the same text {@link #write} gives for a sorted map of
     * strings, built by hand because the metric store writes one per sample (a million per ingest).
     */
    static String sortedLabels(Map<String, String> labels) {
        String[] keys = labels.keySet().toArray(new String[0]);
        java.util.Arrays.sort(keys);
        StringBuilder json = new StringBuilder(16 + 24 * keys.length).append('{');
        for (int i = 0; i < keys.length; i++) {
            if (i > 0) {
                json.append(',');
            }
            quote(json, keys[i]);
            json.append(':');
            quote(json, labels.get(keys[i]));
        }
        return json.append('}').toString();
    }

    private static void quote(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20) {
                        json.append("\\u%04X".formatted((int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
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
