package io.fleetshell.engine.playbook;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A parameter a playbook declares in its header with {@code // @param NAME=DEFAULT description}
 * (or {@code // @param NAME description} for a required one). The default's form gives the type: a
 * number makes a number, {@code true}/{@code false} a boolean, anything else a string. In JSON it is
 * {@code name}, {@code default}, {@code required} and {@code description}.
 *
 * @param name         as scripts read it: {@code fleet.params.NAME}
 * @param defaultValue the default as written, or null when the parameter is required
 * @param description  one line for {@code playbook list} and {@code playbook check}
 * @param line         where it is declared
 */
@JsonPropertyOrder({"name", "default", "required", "description"})
public record PlaybookParam(String name, @JsonProperty("default") String defaultValue, String description, @JsonIgnore int line) {

    @JsonProperty
    public boolean required() {
        return defaultValue == null;
    }

    /** {@code value} as this parameter's type, or a message saying what is expected. */
    Object convert(String value) {
        if (defaultValue != null && isNumber(defaultValue)) {
            if (!isNumber(value)) {
                throw new IllegalArgumentException("parameter %s takes a number (default %s), not '%s'".formatted(name, defaultValue, value));
            }
            double d = Double.parseDouble(value);
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Object) (long) d : (Object) d;
        }
        if (defaultValue != null && (defaultValue.equals("true") || defaultValue.equals("false"))) {
            if (!value.equals("true") && !value.equals("false")) {
                throw new IllegalArgumentException("parameter %s takes true or false, not '%s'".formatted(name, value));
            }
            return Boolean.parseBoolean(value);
        }
        return value;
    }

    private static boolean isNumber(String s) {
        return s.matches("-?\\d+(\\.\\d+)?");
    }
}
