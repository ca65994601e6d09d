package io.fleetshell.engine.python;

import io.fleetshell.engine.profile.ImportTiming;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImportTimeParserTest {

    @Test
    void keepsOnlyTheLinesBetweenTheMarkersWithTheirNesting() {
        String stderr = """
                import time: self [us] | cumulative | imported package
                import time:       120 |        120 | encodings
                fleetshell-probe: begin
                import time:       672 |        672 |       _json
                import time:       521 |       1192 |     json.scanner
                import time:       494 |       2909 | json
                a warning the agent printed
                import time:       239 |      41000 | asyncio
                fleetshell-probe: end
                import time:        10 |         10 | resource
                """;
        assertThat(ImportTimeParser.parse(stderr)).containsExactly(
                new ImportTiming("_json", 3, 672, 672),
                new ImportTiming("json.scanner", 2, 521, 1192),
                new ImportTiming("json", 0, 494, 2909),
                new ImportTiming("asyncio", 0, 239, 41000));
    }

    @Test
    void noMarkersMeansNothingOfTheAgent() {
        assertThat(ImportTimeParser.parse("import time:   1 |   1 | json\n")).isEmpty();
    }
}
