package io.fleetshell.shell.render;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextTableTest {

    @Test
    void alignsOnVisibleWidthWhateverTheColours() {
        String table = new TextTable("AGENT", "POTENTIAL", "RISK")
                .row("TutorAgent", "\u001b[31mlow\u001b[0m", "high")
                .row("A", "\u001b[32mhigh\u001b[0m", null)
                .render();
        assertThat(table.replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo("""
                AGENT       POTENTIAL  RISK
                TutorAgent  low        high
                A           high       -""");
    }
}
