package io.fleetshell.engine.inventory;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands the variable forms real startup configs use: {@code ${VAR}}, {@code ${VAR:-default}} and
 * {@code $VAR}, from a given environment. {@code PORT_OFFSET} defaults to 0 as the fleets' launchers
 * do. An expanded value made only of integers joined by {@code +} or {@code -} (such as
 * {@code ${PORT_OFFSET}+7200}) is computed by {@link #integer}.
 */
public final class Expander {

    private static final Pattern VARIABLE =
            Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern SUM = Pattern.compile("\\s*[+-]?\\s*\\d+(\\s*[+-]\\s*\\d+)*\\s*");
    private static final Pattern TERM = Pattern.compile("([+-]?)\\s*(\\d+)");
    private static final Map<String, String> BUILT_IN_DEFAULTS = Map.of("PORT_OFFSET", "0");

    private final Map<String, String> environment;

    public Expander(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** The text with every variable replaced; an unset variable without default becomes empty, as in a shell. */
    public String expand(String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(3);
            String value = environment.get(name);
            if (value == null || (value.isEmpty() && m.group(2) != null)) {
                value = m.group(2) != null ? m.group(2) : BUILT_IN_DEFAULTS.getOrDefault(name, "");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The variables in {@code text} that expand to nothing: unset, without a {@code :-default} and without a
     * built-in default. A shell would expand them silently to "", which in a path is almost always a mistake.
     */
    public java.util.List<String> unset(String text) {
        java.util.List<String> names = new java.util.ArrayList<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(3);
            if (!environment.containsKey(name) && m.group(2) == null && !BUILT_IN_DEFAULTS.containsKey(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * The integer a value stands for after expansion, sums included.
     *
     * @throws NumberFormatException when the expanded text is not an integer expression; its message
     *                               is the expanded text
     * @throws ArithmeticException   when the number does not fit in a long
     */
    public long integer(String text) {
        String expanded = expand(text);
        if (!SUM.matcher(expanded).matches()) {
            throw new NumberFormatException(expanded);
        }
        long total = 0;
        Matcher term = TERM.matcher(expanded);
        while (term.find()) {
            long value;
            try {
                value = Long.parseLong(term.group(2));
            } catch (NumberFormatException e) { // digits only, so: too many of them
                throw new ArithmeticException(expanded + " is too large");
            }
            total = Math.addExact(total, "-".equals(term.group(1)) ? -value : value);
        }
        return total;
    }
}
