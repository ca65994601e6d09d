package io.fleetshell.history;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.ImportTiming;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(HistoryDatabaseExtension.class)
class BaselineStoreTest {

    private static final AgentId TUTOR = new AgentId("mainpc", "TutorAgent");
    private static final ProfileTarget TARGET = new ProfileTarget(TUTOR, Path.of("/fleet/agents/tutor.py"), "python3",
            Path.of("/fleet"), Map.of("SECRET_TOKEN", "not stored"));

    private static LoadSample ok(int run, double ms) {
        return new LoadSample(run, true, ms, 24_000 + run, 81,
                List.of(new ImportTiming("_json", 1, 600, 600), new ImportTiming("json", 0, 500, 1100),
                        new ImportTiming("smtplib", 0, 700, 15_800)),
                List.of(new LoadSample.StatementCost("json", 1, 1.25, 108), new LoadSample.StatementCost("smtplib", 2, 16.5, 2_048)),
                "3.11.7", null);
    }

    @Test
    void storesEveryRawSampleAsANewVersionAndReadsItBack(HistoryDatabase db) {
        BaselineStore store = new BaselineStore(db);
        AgentProfile first = new AgentProfile(TARGET, List.of(ok(1, 40.5), ok(2, 38.25), ok(3, 41.0)));
        Instant at = Instant.parse("2026-11-24T01:00:00.123Z");
        Baseline saved = store.save(first, "ab".repeat(32), 3, at);
        assertThat(saved.version()).isEqualTo(1);

        AgentProfile failed = new AgentProfile(TARGET, List.of(new LoadSample(1, false, 3.5, 9_000, 4, List.of(), List.of(), "3.11.7",
                new LoadSample.LoadError("ModuleNotFoundError", "No module named 'torch'", 12))));
        assertThat(store.save(failed, "cd".repeat(32), 5, at.plusSeconds(60)).version()).isEqualTo(2);

        List<Baseline> versions = store.versions(TUTOR);
        assertThat(versions).extracting(Baseline::version).containsExactly(2, 1);
        Baseline v1 = versions.get(1);
        assertThat(v1.createdAt()).isEqualTo(at);
        assertThat(v1.scriptSha256()).isEqualTo("ab".repeat(32));
        assertThat(v1.profile().samples()).isEqualTo(first.samples());
        assertThat(v1.profile().target().environment()).isEmpty(); // environments may hold secrets
        assertThat(v1.profile().loadMillis().median()).isEqualTo(40.5);
        assertThat(v1.profile().directImports().getFirst().module()).isEqualTo("smtplib");

        Baseline v2 = store.latest(TUTOR).orElseThrow();
        assertThat(v2.profile().failure()).hasValueSatisfying(e -> assertThat(e.line()).isEqualTo(12));
        assertThat(store.latest()).extracting(Baseline::version).containsExactly(2);
    }

    @Test
    void eachSampleKeepsItsCpuTimeAndTheLoadAverageItWasTakenAt(HistoryDatabase db) {
        // issue 16 item 9: a figure measured on a busy machine says so itself (migration V12)
        BaselineStore store = new BaselineStore(db);
        LoadSample busy = new LoadSample(1, true, 151.5, 24_000, 81, List.of(), List.of(), "3.11.7", null, 96.25, 7.5);
        store.save(new AgentProfile(TARGET, List.of(busy, ok(2, 40.0))), "ab".repeat(32), 2, Instant.parse("2026-12-04T19:00:00Z"));

        List<LoadSample> read = store.latest(TUTOR).orElseThrow().profile().samples();
        assertThat(read.getFirst().cpuMillis()).isEqualTo(96.25);
        assertThat(read.getFirst().loadAverage()).isEqualTo(7.5);
        assertThat(read.get(1).loadAverage()).as("not recorded").isNaN();
    }

    @Test
    void aBaselineSaysWhichHostRanItsLoads(HistoryDatabase db) {
        // issue 20: a remote machine's agent is profiled on that machine (migration V24); older rows were measured here
        BaselineStore store = new BaselineStore(db);
        store.save(new AgentProfile(TARGET, List.of(ok(1, 40.0))), "ab".repeat(32), 1, Instant.parse("2026-12-04T19:00:00Z"));
        store.save(new AgentProfile(TARGET, List.of(ok(1, 41.0)), "deploy@10.0.0.12:22"), "ab".repeat(32), 1,
                Instant.parse("2026-12-04T19:01:00Z"));

        List<Baseline> versions = store.versions(TUTOR);
        assertThat(versions).extracting(b -> b.profile().measuredOn()).containsExactly("deploy@10.0.0.12:22", AgentProfile.THIS_COMPUTER);
        List<String> stored = db.read(c -> Rows.list(c, "SELECT measured_on FROM baselines ORDER BY id",
                row -> String.valueOf(row.getString("measured_on"))));
        assertThat(stored).containsExactly("null", "deploy@10.0.0.12:22");
    }

    @Test
    void baselinesAreAppendOnly(HistoryDatabase db) {
        new BaselineStore(db).save(new AgentProfile(TARGET, List.of(ok(1, 10))), "ab".repeat(32), 1, Instant.now());
        assertThatThrownBy(() -> db.write(c -> c.createStatement().executeUpdate("UPDATE baseline_samples SET load_ms = 1")))
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> db.write(c -> c.createStatement().executeUpdate("DELETE FROM baselines")))
                .hasMessageContaining("append-only");
    }
}
