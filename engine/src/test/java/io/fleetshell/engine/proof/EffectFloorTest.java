package io.fleetshell.engine.proof;

import io.fleetshell.engine.FleetshellException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The load-time proof's effect floor and its settings.yaml key (issue 16 item 9). */
class EffectFloorTest {

    @TempDir
    Path home;

    @Test
    void theDefaultIsThreePerCentAndTwoMillisecondsWhicheverIsLarger() {
        assertThat(EffectFloor.DEFAULT.threshold(1000)).isEqualTo(30.0);
        assertThat(EffectFloor.DEFAULT.threshold(20)).isEqualTo(2.0);
        assertThat(EffectFloor.fromSettings(home.resolve("settings.yaml"))).isEqualTo(EffectFloor.DEFAULT);
    }

    @Test
    void settingsYamlSetsEitherBound() throws IOException {
        Path settings = Files.writeString(home.resolve("settings.yaml"), "proof_min_gain: {percent: 5}\n");
        assertThat(EffectFloor.fromSettings(settings)).isEqualTo(new EffectFloor(5, 2));
        Files.writeString(settings, "proof_min_gain:\n  ms: 0.5\n  percent: 0\n");
        assertThat(EffectFloor.fromSettings(settings)).isEqualTo(new EffectFloor(0, 0.5));
    }

    @Test
    void aBadValueNamesTheKeyAndTheFile() throws IOException {
        Path settings = Files.writeString(home.resolve("settings.yaml"), "proof_min_gain: {percent: .nan}\n");
        assertThatThrownBy(() -> EffectFloor.fromSettings(settings)).isInstanceOf(FleetshellException.class)
                .hasMessage(settings + ": proof_min_gain.percent must be a number from 0 to below 100, not 'NaN'");
        Files.writeString(settings, "proof_min_gain: 3\n");
        assertThatThrownBy(() -> EffectFloor.fromSettings(settings)).hasMessageContaining("must be a mapping such as {percent: 3, ms: 2}");
        Files.writeString(settings, "proof_min_gain: {pct: 3}\n");
        assertThatThrownBy(() -> EffectFloor.fromSettings(settings)).hasMessageContaining("must be a mapping such as {percent: 3, ms: 2}");
    }
}
