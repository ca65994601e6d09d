package io.fleetshell.shell.render;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** The inventory list's shape with the demo fleet's longest cells. */
    private static TextTable inventory() {
        return new TextTable("MACHINE", "AGENT", "GROUP", "LANG", "PORT", "HEALTH", "SCRIPT", "NOTES")
                .path("SCRIPT").note("NOTES").optional("GROUP", "HEALTH")
                .row("mainpc", "LearningAdjusterAgent", "learning_knowledge", "python", 7231, 8231,
                        "main_pc_code/agents/learning_adjuster_agent.py", "")
                .row("mainpc", "ObservabilityHub", "core_services", "python", 7201, 8201,
                        "main_pc_code/agents/observability_hub.py", "infrastructure, required")
                .row("pc2", "TutorAgent", "pc2_services", "python", 7230, 8230, "pc2_code/agents/tutor_agent.py", "required");
    }

    @ParameterizedTest
    @ValueSource(ints = {80, 100, 200})
    void everyLineFitsTheWidthAndEveryRowStaysOnOneLine(int width) {
        String text = inventory().render(width);
        assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(width));
        String table = text.split("\n\n")[0];
        assertThat(table.lines()).hasSize(4);
    }

    @Test
    void atEightyColumnsPathsLoseTheirStartOptionalColumnsGoAndLongNotesGoUnderTheTable() {
        TextTable table = inventory();
        String text = table.render(80);
        assertThat(text).isEqualTo("""
                MACHINE  AGENT                  LANG    PORT  SCRIPT                  NOTES
                mainpc   LearningAdjusterAgent  python  7231  …ing_adjuster_agent.py
                mainpc   ObservabilityHub       python  7201  …/observability_hub.py  [1]
                pc2      TutorAgent             python  7230  …agents/tutor_agent.py  required

                [1] infrastructure, required""".replace("…", TextTable.ELLIPSIS));
        assertThat(table.hiddenAt(80)).containsExactly("GROUP", "HEALTH");
        assertThat(table.hiddenAt(200)).isEmpty();
    }

    @Test
    void withoutALimitEveryCellIsShownInFull() {
        assertThat(inventory().render(0)).contains("main_pc_code/agents/learning_adjuster_agent.py", "infrastructure, required",
                "learning_knowledge");
    }

    @Test
    void plainCellsAreCutWithAnEllipsisOnlyWhenNothingElseFits() {
        String text = new TextTable("NAME", "VALUE").row("a-very-long-agent-name-indeed", "another-long-value-here").render(30);
        assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(30));
        assertThat(text).contains(TextTable.ELLIPSIS);
    }

    @Test
    void controlCharactersInCellsAreShownNotObeyed() {
        String text = new TextTable("SERIES", "VALUE").row("up{job=\"\u001b]0;PWNED\u0007\"}", "1\r\n2").render();
        assertThat(text).doesNotContain("\u001b]", "\u0007", "\r").contains("^[]0;PWNED^G", "1 2");
    }

    @Test
    void notesWrapUnderTheTableWithAHangingIndent() {
        assertThat(TextTable.wrap("[1] ", "one two three four five", 14)).isEqualTo("""
                [1] one two
                    three four
                    five""");
    }
}
