package io.fleetshell.engine.inventory;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpanderTest {

    private final Expander empty = new Expander(Map.of());

    @Test
    void portOffsetDefaultsToZeroAndSumsAreComputed() {
        assertThat(empty.integer("${PORT_OFFSET}+7200")).isEqualTo(7200);
        assertThat(new Expander(Map.of("PORT_OFFSET", "100")).integer("${PORT_OFFSET}+7200")).isEqualTo(7300);
        assertThat(new Expander(Map.of("PORT_OFFSET", "-100")).integer("${PORT_OFFSET} + 7200")).isEqualTo(7100);
        assertThat(empty.integer("7200 - 5 + 1")).isEqualTo(7196);
        assertThat(empty.integer("8080")).isEqualTo(8080);
    }

    @Test
    void defaultsApplyWhenTheVariableIsUnsetOrEmpty() {
        assertThat(empty.expand("${LOG_LEVEL:-INFO}")).isEqualTo("INFO");
        assertThat(new Expander(Map.of("LOG_LEVEL", "")).expand("${LOG_LEVEL:-INFO}")).isEqualTo("INFO");
        assertThat(new Expander(Map.of("LOG_LEVEL", "DEBUG")).expand("${LOG_LEVEL:-INFO}")).isEqualTo("DEBUG");
        assertThat(empty.expand("${BASE:-/opt/fleet}/agents")).isEqualTo("/opt/fleet/agents");
    }

    @Test
    void unsetVariablesWithoutDefaultBecomeEmptyAsInAShell() {
        assertThat(new Expander(Map.of("HOME_DIR", "/home/a")).expand("$HOME_DIR/x:${NOPE}:y")).isEqualTo("/home/a/x::y");
    }

    @Test
    void textThatIsNotASumIsRejectedWithTheExpandedText() {
        assertThatThrownBy(() -> empty.integer("${PORT_OFFSET}+abc"))
                .isInstanceOf(NumberFormatException.class)
                .hasMessage("0+abc");
        assertThatThrownBy(() -> empty.integer("${MISSING}")).isInstanceOf(NumberFormatException.class);
    }
}
