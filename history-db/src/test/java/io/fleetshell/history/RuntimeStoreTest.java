package io.fleetshell.history;

import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.gate.GateDecision;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.runtime.ProbeResult;
import io.fleetshell.engine.runtime.ProbeSample;
import io.fleetshell.engine.runtime.RuntimeBaseline;
import io.fleetshell.engine.runtime.StartOutcome;
import io.fleetshell.engine.runtime.StartSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(HistoryDatabaseExtension.class)
class RuntimeStoreTest {

    private static final AgentId TUTOR = new AgentId("mainpc", "TutorAgent");
    private static final Instant T = Instant.parse("2026-11-03T09:15:02.123Z");

    @Test
    void startsAndProbesComeBackInTimeOrderWithTheirIds(HistoryDatabase db) {
        RuntimeStore store = new RuntimeStore(db);
        long healthy = store.recordStart(new StartOutcome.Healthy(TUTOR, StartOutcome.Method.SUPERVISED, 4242, T.plusSeconds(10),
                Duration.ofMillis(312), "GET http://127.0.0.1:8230/health", "python3 tutor.py", null));
        long failed = store.recordStart(new StartOutcome.Unhealthy(TUTOR, StartOutcome.Method.RESTART_COMMAND, 0, T,
                Duration.ofSeconds(30), "tcp 127.0.0.1:7230", "restart_command exited with status 3", "boom", "systemctl restart x", null));
        List<StartSample> starts = store.starts(TUTOR, T, T.plusSeconds(60));
        assertThat(starts).containsExactly(
                new StartSample(failed, TUTOR, T, StartOutcome.Method.RESTART_COMMAND, false, null),
                new StartSample(healthy, TUTOR, T.plusSeconds(10), StartOutcome.Method.SUPERVISED, true, 312.0));
        assertThat(store.starts(TUTOR, T.plusSeconds(10), T.plusSeconds(11))).hasSize(1); // from inclusive, to exclusive
        assertThat(store.starts(new AgentId("pc2", "TutorAgent"), T, T.plusSeconds(60))).isEmpty();

        ProbeResult probe = new ProbeResult(TUTOR, T, "GET http://127.0.0.1:8230/health", ProbeResult.Outcome.BAD_STATUS, 500, 3.5,
                "answered HTTP 500", "TutorAgent", -400L, 20480L);
        long id = store.recordProbe(probe);
        assertThat(store.probes(TUTOR, T, T.plusMillis(1))).containsExactly(new ProbeSample(id, probe));
    }

    @Test
    void baselineWindowsAreVersionedAndDecisionsKeepTheirEvidenceInOrder(HistoryDatabase db) {
        RuntimeStore store = new RuntimeStore(db);
        RuntimeBaseline v1 = store.captureBaseline(TUTOR, T, T.plusSeconds(600), Map.of("probes", 3));
        RuntimeBaseline v2 = store.captureBaseline(TUTOR, T.plusSeconds(600), T.plusSeconds(1200), Map.of("probes", 5));
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(store.runtimeBaseline(TUTOR)).contains(v2);
        assertThat(store.runtimeBaselineVersions(TUTOR)).containsExactly(v2, v1);
        assertThat(store.latestRuntimeBaselines()).containsExactly(v2);
        assertThat(store.baselineSummary(v2.id())).containsEntry("probes", 5);

        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("z_last", 1);
        evidence.put("a_first", List.of(7, 8));
        GateDecision decision = new GateDecision("time-to-healthy", GateDecision.Verdict.HOLD, "fewer than 5 samples per side",
                "insufficient data: need 3 more samples", evidence);
        long id = store.recordDecision(TUTOR, T, decision);
        StoredDecision stored = store.decision(id).orElseThrow();
        assertThat(stored.decision()).isEqualTo(decision);
        assertThat(stored.decision().evidence().keySet()).containsExactly("z_last", "a_first");
        assertThat(store.decisions(TUTOR, 10)).containsExactly(stored);
    }

    @Test
    void runtimeHistoryIsAppendOnly(HistoryDatabase db) {
        RuntimeStore store = new RuntimeStore(db);
        store.recordDecision(TUTOR, T, GateDecision.cannotEvaluate("health", "no port"));
        store.captureBaseline(TUTOR, T, T.plusSeconds(1), Map.of());
        for (String table : List.of("gate_decisions", "runtime_baselines")) {
            assertThatThrownBy(() -> db.write(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("DELETE FROM " + table);
                }
            })).isInstanceOf(FleetshellException.class).hasMessageContaining(table + " is append-only");
        }
    }
}
