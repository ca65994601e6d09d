package io.fleetshell.shell.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Colour and width of one-shot output, and the conventional flags, as the environment decides them. */
class OneShotOutputTest {

    @Test
    void colourOnlyOnATerminalAndNeverWithNoColorOrADumbTerminal() {
        assertThat(FleetshellRunner.oneShotOutput(Map.of("TERM", "xterm"), true).ansi()).isTrue();
        assertThat(FleetshellRunner.oneShotOutput(Map.of("TERM", "xterm"), false).ansi()).isFalse();
        assertThat(FleetshellRunner.oneShotOutput(Map.of("TERM", "xterm", "NO_COLOR", "1"), true).ansi()).isFalse();
        assertThat(FleetshellRunner.oneShotOutput(Map.of("TERM", "dumb"), true).ansi()).isFalse();
        assertThat(FleetshellRunner.oneShotOutput(Map.of("TERM", "xterm"), true).forCommand(Output.Format.TEXT, true).ansi()).isFalse();
    }

    @Test
    void widthFromColumnsThenTheTerminalElseNoLimit() {
        assertThat(FleetshellRunner.oneShotOutput(Map.of(), false).width()).isZero();
        assertThat(FleetshellRunner.oneShotOutput(Map.of("COLUMNS", "100"), false).width()).isEqualTo(100);
        assertThat(FleetshellRunner.oneShotOutput(Map.of("FLEETSHELL_COLUMNS", "132"), true).width()).isEqualTo(132);
        assertThat(FleetshellRunner.oneShotOutput(Map.of(), true).width()).isEqualTo(80);
        assertThat(FleetshellRunner.oneShotOutput(Map.of("COLUMNS", "100"), false).forCommand(Output.Format.WIDE, false).width()).isZero();
    }

    @Test
    void conventionalFlagsBecomeCommands() {
        assertThat(FleetshellRunner.conventional(List.of("--version"))).containsExactly("version");
        assertThat(FleetshellRunner.conventional(List.of("-h"))).containsExactly("help");
        assertThat(FleetshellRunner.conventional(List.of("--help", "score"))).containsExactly("help", "score");
        assertThat(FleetshellRunner.conventional(List.of("score", "--help"))).containsExactly("score", "--help");
    }

    @Test
    void globalOptionsAreTakenOutWhereverTheyStandBeforeTheDoubleDash() {
        GlobalOptions global = GlobalOptions.of(List.of("score", "-oyaml", "--no-color", "--debug", "--", "-o"));
        assertThat(global.words()).containsExactly("score", "--", "-o");
        assertThat(global.format()).isEqualTo(Output.Format.YAML);
        assertThat(global.noColor()).isTrue();
        assertThat(global.debug()).isTrue();
    }
}
