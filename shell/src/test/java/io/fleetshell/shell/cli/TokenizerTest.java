package io.fleetshell.shell.cli;

import io.fleetshell.engine.FleetshellException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenizerTest {

    @Test
    void splitsOnWhitespaceAndKeepsQuotedTextExactly() {
        assertThat(Tokenizer.words("  inventory   load 'my fleet/a b.yaml' --root \"x y\"  "))
                .containsExactly("inventory", "load", "my fleet/a b.yaml", "--root", "x y");
    }

    @Test
    void equalsBracketsAndBracesAreOrdinaryCharacters() {
        assertThat(Tokenizer.words("playbook run x.js --param k=v=[1,2] --param {a:b}"))
                .containsExactly("playbook", "run", "x.js", "--param", "k=v=[1,2]", "--param", "{a:b}");
    }

    @Test
    void escapesWorkAsInAPosixShell() {
        assertThat(Tokenizer.words("a\\ b \"say \\\"hi\\\" \\\\ \\n\" 'it''s' 'back\\slash'"))
                .containsExactly("a b", "say \"hi\" \\ \\n", "its", "back\\slash");
        assertThat(Tokenizer.words("x \"\" ''")).containsExactly("x", "", "");
    }

    @Test
    void anUnclosedQuoteIsBadInputWithItsColumn() {
        assertThatThrownBy(() -> Tokenizer.words("inventory show 'Tutor"))
                .isInstanceOf(FleetshellException.class)
                .hasMessage("unclosed single quote starting at column 16; close it or escape it with a backslash");
    }
}
