package io.fleetshell.engine.java;

import java.util.Locale;

/** The names the patterns give what they add: {@code TABLE} gets {@code TableHolder} and {@code table()}. */
final class Names {

    /** The memoizing helper {@link MemoizeHeavyField} adds once per class. */
    static final String MEMOIZE = "memoize";

    private Names() {
    }

    static String holderClass(String field) {
        String camel = camel(field);
        return Character.toUpperCase(camel.charAt(0)) + camel.substring(1) + "Holder";
    }

    static String accessor(String field) {
        return camel(field);
    }

    /** {@code LOOKUP_TABLE} and {@code lookupTable} both give {@code lookupTable}. */
    private static String camel(String field) {
        if (!field.equals(field.toUpperCase(Locale.ROOT))) {
            return Character.toLowerCase(field.charAt(0)) + field.substring(1);
        }
        StringBuilder out = new StringBuilder();
        for (String part : field.toLowerCase(Locale.ROOT).split("_+")) {
            if (!part.isEmpty()) {
                out.append(out.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
            }
        }
        return out.isEmpty() ? field : out.toString();
    }
}
