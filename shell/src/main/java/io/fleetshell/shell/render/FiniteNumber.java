package io.fleetshell.shell.render;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;

/**
 * A measured figure as the JSON output writes it. JSON has no NaN or infinity, so an unknown figure (NaN)
 * prints as null and an infinite one as {@code "+Inf"} or {@code "-Inf"}, the way Prometheus writes them. Put
 * it on a record component with {@code @JsonSerialize(using = FiniteNumber.class)}, or with
 * {@code contentUsing} on a list of figures.
 */
public final class FiniteNumber extends ValueSerializer<Double> {

    @Override
    public void serialize(Double value, JsonGenerator gen, SerializationContext context) {
        if (value.isNaN()) {
            gen.writeNull();
        } else if (value.isInfinite()) {
            gen.writeString(value > 0 ? "+Inf" : "-Inf");
        } else {
            gen.writeNumber(value);
        }
    }
}
