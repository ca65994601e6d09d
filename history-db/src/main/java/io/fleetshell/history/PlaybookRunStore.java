package io.fleetshell.history;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fleetshell.engine.playbook.JournalEntry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Playbook runs and their journals. A run is stored when it starts (so a run that dies still leaves
 * its record), its journal lines as they come, and its end once; nothing is deleted.
 */
public final class PlaybookRunStore {

    /**
     * One stored run; {@code finishedAt}, {@code outcome}, {@code exitStatus} and {@code message} are null
     * while it runs (or when its process died). In JSON its id is {@code run}, its file {@code playbook}.
     */
    public record Run(@JsonProperty("run") long id, @JsonProperty("playbook") String file, String sha256, String mode,
                      Map<String, Object> params, @JsonProperty("deployment") Long deploymentId,
                      Instant startedAt, Instant finishedAt, String outcome, Integer exitStatus, String message,
                      long pid, String host) {
    }

    private static final String INSERT_RUN = """
            INSERT INTO playbook_runs (file, sha256, mode, params_json, deployment_id, started_at, pid, host)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id""";

    private static final String NEXT_SEQ = "SELECT COALESCE(MAX(seq), 0) FROM playbook_journal WHERE run_id = ?";

    private static final String INSERT_ENTRY = """
            INSERT INTO playbook_journal (run_id, seq, at, kind, line, text, data_json) VALUES (?, ?, ?, ?, ?, ?, ?)""";

    private static final String FINISH = """
            UPDATE playbook_runs SET finished_at = ?, outcome = ?, exit_status = ?, message = ? WHERE id = ?""";

    private static final String SELECT_RUN = """
            SELECT id, file, sha256, mode, params_json, deployment_id, started_at, finished_at, outcome, exit_status,
                   message, pid, host
            FROM playbook_runs
            """;

    private static final String JOURNAL = """
            SELECT at, kind, line, text, data_json FROM playbook_journal WHERE run_id = ? ORDER BY seq""";

    private final HistoryDatabase database;

    public PlaybookRunStore(HistoryDatabase database) {
        this.database = database;
    }

    /** Records the start of a run and returns its id. */
    public long start(String file, String sha256, String mode, Map<String, Object> params, Long deploymentId, Instant at,
                      long pid, String host) {
        return database.write(c -> {
            try (PreparedStatement insert = c.prepareStatement(INSERT_RUN)) {
                insert.setString(1, file);
                insert.setString(2, sha256);
                insert.setString(3, mode);
                insert.setString(4, Json.write(params));
                insert.setObject(5, deploymentId);
                insert.setString(6, Timestamps.format(at));
                insert.setLong(7, pid);
                insert.setString(8, host);
                try (ResultSet key = insert.executeQuery()) {
                    key.next();
                    return key.getLong(1);
                }
            }
        });
    }

    /** Appends journal lines after those already stored, in one transaction. */
    public void append(long runId, List<JournalEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        database.write(c -> {
            int seq = Rows.list(c, NEXT_SEQ, row -> row.getInt(1), runId).getFirst();
            try (PreparedStatement insert = c.prepareStatement(INSERT_ENTRY)) {
                for (JournalEntry e : entries) {
                    insert.setLong(1, runId);
                    insert.setInt(2, ++seq);
                    insert.setString(3, Timestamps.format(e.at()));
                    insert.setString(4, e.kind().label());
                    insert.setInt(5, e.line());
                    insert.setString(6, e.text());
                    insert.setString(7, e.data().isEmpty() ? null : Json.write(e.data()));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    /** Records how the run ended; a run ends once. */
    public void finish(long runId, Instant at, String outcome, int exitStatus, String message) {
        database.write(c -> {
            try (PreparedStatement update = c.prepareStatement(FINISH)) {
                update.setString(1, Timestamps.format(at));
                update.setString(2, outcome);
                update.setInt(3, exitStatus);
                update.setString(4, message);
                update.setLong(5, runId);
                update.executeUpdate();
            }
            return null;
        });
    }

    /** The {@code limit} most recent runs, newest first. */
    public List<Run> recent(int limit) {
        return database.read(c -> Rows.list(c, SELECT_RUN + "ORDER BY id DESC LIMIT ?", PlaybookRunStore::run, limit));
    }

    public Optional<Run> run(long id) {
        return database.read(c -> Rows.list(c, SELECT_RUN + "WHERE id = ?", PlaybookRunStore::run, id)).stream().findFirst();
    }

    /** The run's journal in the order it was written. */
    public List<JournalEntry> journal(long runId) {
        return database.read(c -> journal(c, runId));
    }

    private static List<JournalEntry> journal(Connection c, long runId) throws SQLException {
        return Rows.list(c, JOURNAL, row -> {
            String data = row.getString("data_json");
            return new JournalEntry(Timestamps.parse(row.getString("at")),
                    JournalEntry.Kind.valueOf(row.getString("kind").toUpperCase(Locale.ROOT)), row.getInt("line"),
                    row.getString("text"), data == null ? null : Json.readMap(data));
        }, runId);
    }

    private static Run run(ResultSet row) throws SQLException {
        String finished = row.getString("finished_at");
        Object deployment = row.getObject("deployment_id");
        Object exit = row.getObject("exit_status");
        return new Run(row.getLong("id"), row.getString("file"), row.getString("sha256"), row.getString("mode"),
                Json.readMap(row.getString("params_json")), deployment == null ? null : ((Number) deployment).longValue(),
                Timestamps.parse(row.getString("started_at")), finished == null ? null : Timestamps.parse(finished),
                row.getString("outcome"), exit == null ? null : ((Number) exit).intValue(), row.getString("message"),
                row.getLong("pid"), row.getString("host"));
    }
}
