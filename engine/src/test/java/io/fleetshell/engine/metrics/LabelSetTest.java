package io.fleetshell.engine.metrics;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A sample's labels stay a Map in every respect that callers and series lookups rely on. */
class LabelSetTest {

    @Test
    void keepsTheOrderWrittenAndEqualsAndHashesLikeAnyMapWithTheSameEntries() {
        Map<String, String> written = new LinkedHashMap<>();
        written.put("path", "/run");
        written.put("le", "0.1");
        Map<String, String> labels = new Sample("x_bucket", written, 1, null).labels();

        assertThat(labels.keySet()).containsExactly("path", "le");
        assertThat(labels.get("le")).isEqualTo("0.1");
        assertThat(labels.get("code")).isNull();
        Map<String, String> otherOrder = Map.of("le", "0.1", "path", "/run");
        assertThat(labels).isEqualTo(otherOrder);
        assertThat(otherOrder).isEqualTo(labels);
        assertThat(labels.hashCode()).isEqualTo(otherOrder.hashCode());
        assertThat(labels).isEqualTo(new Sample("y", otherOrder, 2, null).labels());
        assertThat(labels).isNotEqualTo(Map.of("le", "0.25", "path", "/run"));
        assertThat(labels).isNotEqualTo(new Sample("y", Map.of("le", "0.1"), 2, null).labels());
    }

    @Test
    void isImmutableAndIndependentOfTheMapItWasMadeFrom() {
        Map<String, String> written = new LinkedHashMap<>(Map.of("path", "/run"));
        Map<String, String> labels = new Sample("x", written, 1, null).labels();
        written.put("path", "/health");

        assertThat(labels).containsExactly(Map.entry("path", "/run"));
        assertThatThrownBy(() -> labels.put("a", "b")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(labels::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThat(new Sample("x", Map.of(), 1, null).labels()).isEmpty();
    }
}
