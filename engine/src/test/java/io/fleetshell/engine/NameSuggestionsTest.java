package io.fleetshell.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NameSuggestionsTest {

    private final List<String> names = List.of("TutorAgent", "TutoringService", "MemoryOrchestrator", "ModelManagerAgent");

    @Test
    void prefixesAndTyposFindTheClosestNames() {
        assertThat(NameSuggestions.closest("tutor", names, 3)).containsExactly("TutorAgent", "TutoringService");
        assertThat(NameSuggestions.closest("TutorAgnet", names, 1)).containsExactly("TutorAgent");
        assertThat(NameSuggestions.closest("MemoryOrchestrater", names, 3)).containsExactly("MemoryOrchestrator");
    }

    @Test
    void unrelatedNamesSuggestNothing() {
        assertThat(NameSuggestions.closest("NoSuchAgent", names, 3)).isEmpty();
    }

    @Test
    void nearestRanksEveryNameByDistance() {
        assertThat(NameSuggestions.nearest("NoSuchAgent", names, 2)).containsExactly("TutorAgent", "ModelManagerAgent");
    }

    @Test
    void distanceIsLevenshtein() {
        assertThat(NameSuggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(NameSuggestions.distance("", "abc")).isEqualTo(3);
    }
}
