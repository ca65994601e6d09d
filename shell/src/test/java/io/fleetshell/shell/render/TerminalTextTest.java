package io.fleetshell.shell.render;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TerminalTextTest {

    @Test
    void escapeSequencesFromOutsideBecomeVisibleText() {
        assertThat(TerminalText.safe("label \u001b]0;PWNED\u0007 \u001b[2J\u009b\u202e", false))
                .isEqualTo("label ^[]0;PWNED^G ^[[2J<9b><U+202E>");
    }

    @Test
    void coloursAreKeptOnlyWhenAsked() {
        String coloured = "\u001b[31mred\u001b[0m";
        assertThat(TerminalText.safe(coloured, true)).isEqualTo(coloured);
        assertThat(TerminalText.safe(coloured, false)).isEqualTo("red");
    }

    @Test
    void newlinesAndTabsStayInTextAndPlainTextIsUntouched() {
        assertThat(TerminalText.safe("a\n\tb", false)).isEqualTo("a\n\tb");
        String plain = "mainpc/TutorAgent 41 ms";
        assertThat(TerminalText.safe(plain, false)).isSameAs(plain);
    }
}
