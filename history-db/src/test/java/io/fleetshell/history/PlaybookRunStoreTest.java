package io.fleetshell.history;

import io.fleetshell.engine.playbook.JournalEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(HistoryDatabaseExtension.class)
class PlaybookRunStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00.000Z");

    @Test
    void storesARunItsJournalAndItsEnd(HistoryDatabase db) {
        PlaybookRunStore store = new PlaybookRunStore(db);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("size", 5);
        params.put("pattern", "lazy_loading");
        long id = store.start("scripts/canary.js", "abc", "dry-run", params, null, T0, 42, "host1");
        store.append(id, List.of(new JournalEntry(T0, JournalEntry.Kind.LOG, 3, "hello", null)));
        store.append(id, List.of(
                new JournalEntry(T0.plusSeconds(1), JournalEntry.Kind.DECISION, 7, "batchSize(0) = 1", Map.of("size", 1)),
                new JournalEntry(T0.plusSeconds(2), JournalEntry.Kind.END, 0, "completed: completed in 2s", null)));
        assertThat(store.run(id)).get().satisfies(r -> {
            assertThat(r.finishedAt()).isNull();
            assertThat(r.params()).containsExactly(Map.entry("size", 5), Map.entry("pattern", "lazy_loading"));
        });
        store.finish(id, T0.plusSeconds(2), "completed", 0, "completed in 2s");

        PlaybookRunStore.Run run = store.recent(5).getFirst();
        assertThat(run.id()).isEqualTo(id);
        assertThat(run.mode()).isEqualTo("dry-run");
        assertThat(run.outcome()).isEqualTo("completed");
        assertThat(run.exitStatus()).isZero();
        assertThat(store.journal(id)).extracting(JournalEntry::kind, JournalEntry::line, JournalEntry::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple(JournalEntry.Kind.LOG, 3, "hello"),
                org.assertj.core.groups.Tuple.tuple(JournalEntry.Kind.DECISION, 7, "batchSize(0) = 1"),
                org.assertj.core.groups.Tuple.tuple(JournalEntry.Kind.END, 0, "completed: completed in 2s"));
        assertThat(store.journal(id).get(1).data()).containsEntry("size", 1);
    }

    @Test
    void aFinishedRunAndItsJournalCannotBeRewritten(HistoryDatabase db) {
        PlaybookRunStore store = new PlaybookRunStore(db);
        long id = store.start("x.js", "abc", "run", Map.of(), null, T0, 1, null);
        store.append(id, List.of(new JournalEntry(T0, JournalEntry.Kind.LOG, 1, "a", null)));
        store.finish(id, T0, "stopped", 1, "x.js:1: stopped");
        assertThatThrownBy(() -> store.finish(id, T0, "completed", 0, "rewritten")).hasMessageContaining("append-only");
        assertThatThrownBy(() -> db.write(c -> {
            try (Statement s = c.createStatement()) {
                return s.executeUpdate("DELETE FROM playbook_journal");
            }
        })).hasMessageContaining("append-only");
        assertThat(store.run(id)).get().extracting(PlaybookRunStore.Run::outcome).isEqualTo("stopped");
    }
}
