package io.fleetshell.shell.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Prose on a terminal breaks at spaces, never inside a word; data lines (diffs, tables) stay as they are. */
class OutputTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Output output = new Output(new PrintWriter(out), new PrintWriter(err), false, () -> 40, Output.Format.TEXT);

    @Test
    void anItemIsIndentedAndItsFurtherLinesMore() {
        output.item("lazy_loading: deferred: `from common import lexicon` (line 7)");

        assertThat(out.toString().lines().toList())
                .containsExactly("  lazy_loading: deferred: `from common", "    import lexicon` (line 7)");
    }

    @Test
    void sentencesWarningsAndErrorsWrapAtSpacesToTheTerminal() {
        output.sentence("Loaded /tmp/home/demo/config.yaml: machine mainpc, 10 agents (2 infrastructure)");
        output.warn("/tmp/home/demo/config.yaml:82: RedisCache is not an agent (no script_path): skipped");
        output.error("cannot read the config: permission denied, nothing was changed");

        assertThat(out.toString().lines().toList())
                .containsExactly("Loaded /tmp/home/demo/config.yaml:", "machine mainpc, 10 agents (2", "infrastructure)");
        assertThat(err.toString().lines().toList()).containsExactly(
                "warning: /tmp/home/demo/config.yaml:82:", "  RedisCache is not an agent (no", "  script_path): skipped",
                "error: cannot read the config:", "  permission denied, nothing was changed");
        assertThat(out.toString() + err.toString()).doesNotContain("infr\n", "agen\n");
    }

    @Test
    void dataLinesAreNotWrapped() {
        String diffLine = "+model_zoo = _fleetshell_lazy(\"common.model_zoo\", \"common.model_zoo\")";
        output.println(diffLine);
        assertThat(out.toString()).isEqualTo(diffLine + System.lineSeparator());
    }
}
