package io.fleetshell.engine.pattern;

import java.util.List;

/** Whether a pattern has work to do on one agent, with the reasons a user reads. */
public sealed interface Applicability {

    /** Full sentences: what the pattern would change, or why it changes nothing. */
    List<String> reasons();

    default boolean applies() {
        return this instanceof Applies;
    }

    /** The pattern would change the file, for these reasons. */
    record Applies(List<String> reasons) implements Applicability {
        public Applies {
            reasons = List.copyOf(reasons);
        }
    }

    /** The pattern leaves the file alone, for these reasons (nothing to defer, syntax error, infrastructure agent...). */
    record DoesNotApply(List<String> reasons) implements Applicability {
        public DoesNotApply {
            reasons = List.copyOf(reasons);
        }
    }
}
