package io.fleetshell.history;

import io.fleetshell.engine.inventory.AgentId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static io.fleetshell.history.HistoryDatabaseTest.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(HistoryDatabaseExtension.class)
class EventLogTest {

    static final Instant AT = Instant.parse("2026-11-03T09:15:02.123456Z");

    static Event event(String command, List<AgentId> agents) {
        return new Event(0, AT, command, List.of(command), 0, Event.OK, command + " done", null, agents, 4242,
                "mainpc");
    }

    @Test
    void appendsAndReadsBackEveryField(HistoryDatabase db) {
        EventLog log = new EventLog(db);
        Event rollout = new Event(99, AT, "rollout",
                List.of("--agents", "mainpc/A,B", "--pattern", "DeferHeavyImports", "", "two words", "naïve ✓"),
                1, Event.FAILED, "1 of 2 agents failed its health gate", "{\"results\":[{\"agent\":\"A\"}]}",
                List.of(AgentId.parse("mainpc/A"), AgentId.parse("B"), AgentId.parse("pc2/A")), 31337, null);

        long id = log.append(rollout);

        assertThat(log.recent(null, 10)).containsExactly(new Event(id, Instant.parse("2026-11-03T09:15:02.123Z"),
                rollout.command(), rollout.arguments(), 1, Event.FAILED, rollout.summary(), rollout.detailsJson(),
                rollout.agents(), 31337, null));
        assertThat(query(db, "SELECT at FROM events")).containsExactly("2026-11-03T09:15:02.123Z");
    }

    @Test
    void recentIsNewestFirstAndLimited(HistoryDatabase db) {
        EventLog log = new EventLog(db);
        for (int i = 0; i < 5; i++) {
            log.append(event("cmd" + i, List.of()));
        }

        assertThat(log.recent(null, 3)).extracting(Event::command).containsExactly("cmd4", "cmd3", "cmd2");
        assertThat(log.recent(null, 100)).hasSize(5);
        assertThatThrownBy(() -> log.recent(null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void filtersByAgentOnOneMachineOrAny(HistoryDatabase db) {
        EventLog log = new EventLog(db);
        log.append(event("main-a", List.of(AgentId.parse("mainpc/A"))));
        log.append(event("pc2-a", List.of(AgentId.parse("pc2/A"), AgentId.parse("pc2/B"))));
        log.append(event("b-only", List.of(AgentId.parse("mainpc/B"))));
        log.append(event("none", List.of()));
        log.append(event("bare-a", List.of(AgentId.parse("A"))));

        assertThat(log.recent(AgentId.parse("mainpc/A"), 10)).extracting(Event::command).containsExactly("main-a");
        assertThat(log.recent(AgentId.parse("pc2/A"), 10)).extracting(Event::command).containsExactly("pc2-a");
        assertThat(log.recent(AgentId.parse("A"), 10)).extracting(Event::command)
                .containsExactly("bare-a", "pc2-a", "main-a");
        assertThat(log.recent(AgentId.parse("A"), 2)).extracting(Event::command).containsExactly("bare-a", "pc2-a");
        assertThat(log.recent(AgentId.parse("B"), 10)).extracting(Event::command).containsExactly("b-only", "pc2-a");
        assertThat(log.recent(AgentId.parse("pc2/B"), 10).getFirst().agents())
                .containsExactly(AgentId.parse("pc2/A"), AgentId.parse("pc2/B"));
        assertThat(log.recent(AgentId.parse("Nobody"), 10)).isEmpty();
    }

    @Test
    void eventsSurviveReopening(HistoryDatabase db) {
        Path file = db.file();
        EventLog log = new EventLog(db);
        long first = log.append(event("inventory", List.of()));
        long second = log.append(event("status", List.of(AgentId.parse("mainpc/A"))));
        db.close();

        try (HistoryDatabase again = HistoryDatabase.open(file)) {
            EventLog reopened = new EventLog(again);
            assertThat(reopened.recent(null, 10)).extracting(Event::id).containsExactly(second, first);
            long third = reopened.append(event("rollout", List.of()));
            assertThat(third).isGreaterThan(second);
        }
    }

    @Test
    void eventsAreValidated() {
        assertThatThrownBy(() -> new Event(0, AT, "x", List.of(), 0, "maybe", null, null, List.of(), 1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maybe");
    }

    @Test
    void detailsMustBeJson(HistoryDatabase db) {
        EventLog log = new EventLog(db);
        Event bad = new Event(0, AT, "x", List.of(), 0, Event.OK, null, "{not json", List.of(), 1, null);

        assertThatThrownBy(() -> log.append(bad)).hasMessageContaining("CHECK constraint failed");
        assertThat(log.recent(null, 10)).isEmpty();
    }
}
