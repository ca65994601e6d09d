package io.fleetshell.shell.cli;

import io.fleetshell.testing.Await;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The status line draws in place, never mixes with the command's lines, and leaves nothing behind. */
class StatusLineTest {

    private final StringWriter screen = new StringWriter();
    private final PrintWriter terminal = new PrintWriter(screen, true);

    private String shown() {
        synchronized (screen) {
            return screen.toString();
        }
    }

    @Test
    void drawsEachTasksLatestReportInPlaceAndErasesItBeforeTheCommandsOwnLines() {
        StatusLine line = new StatusLine(terminal, () -> 200);
        PrintWriter out = line.around(terminal);
        line.update("mainpc/TutorAgent", "proving: load 7/11 original, 6/11 rewrite");
        line.update("step", "step 1.1.1 mainpc/TutorAgent: written, proving");
        Await.until("the status line", Duration.ofSeconds(30), () -> shown().contains("proving: load 7/11"));
        assertThat(shown()).containsPattern("\r\u001b\\[K[|/\\\\-] step 1\\.1\\.1 mainpc/TutorAgent: written, proving \\| "
                + "mainpc/TutorAgent: proving: load 7/11 original, 6/11 rewrite, \\d+ s");
        out.println("a line of the command");
        out.flush();
        assertThat(shown()).endsWith("\r\u001b[Ka line of the command" + System.lineSeparator());
        line.clear();
        assertThat(shown()).endsWith("\r\u001b[Ka line of the command" + System.lineSeparator());
    }

    @Test
    void aLongLineIsCutToTheTerminalWidth() {
        StatusLine line = new StatusLine(terminal, () -> 40);
        line.update("plan", "planning: rewriting mainpc/SomeAgentWithAVeryLongName, 3/12");
        Await.until("the status line", Duration.ofSeconds(30), () -> shown().contains("planning"));
        String drawn = shown().substring(shown().lastIndexOf("\u001b[K") + 3);
        assertThat(drawn).hasSizeLessThanOrEqualTo(39).contains("...").endsWith(" s");
        line.clear();
    }
}
