package io.fleetshell.history;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(HistoryDatabaseExtension.class)
class HistoryDatabaseTest {

    @TempDir
    Path home;

    @Test
    void migratesAFreshFile(HistoryDatabase db) {
        assertThat(query(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"))
                .contains("agents", "config_snapshots", "config_sources", "event_agents", "events",
                        "flyway_schema_history", "machines");
        assertThat(query(db, "PRAGMA journal_mode")).containsExactly("wal");
        assertThat(query(db, "SELECT version || ' ' || success FROM flyway_schema_history ORDER BY installed_rank"))
                .containsExactlyElementsOf(allVersions().stream().map(v -> v + " 1").toList());
    }

    @Test
    void connectionHasTheSettingsWalNeeds(HistoryDatabase db) {
        assertThat(query(db, "PRAGMA foreign_keys")).containsExactly("1");
        assertThat(query(db, "PRAGMA synchronous")).containsExactly("1"); // NORMAL
        assertThat(query(db, "PRAGMA busy_timeout")).containsExactly("10000");
    }

    @Test
    void createsParentDirectories() {
        Path file = home.resolve("a/b/history.db");
        try (HistoryDatabase db = HistoryDatabase.open(file)) {
            assertThat(db.file()).isEqualTo(file);
        }
        assertThat(file).isRegularFile();
    }

    @Test
    void reopeningIsANoOp(HistoryDatabase db) {
        Path file = db.file();
        db.write(c -> update(c, "INSERT INTO machines (name, fleet_root, python, environment_json, health_check_json, updated_at) VALUES ('mainpc', '/srv', 'python3', '{}', '{}', 'now')"));
        db.close();
        try (HistoryDatabase again = HistoryDatabase.open(file)) {
            assertThat(query(again, "SELECT version FROM flyway_schema_history ORDER BY installed_rank"))
                    .containsExactlyElementsOf(allVersions());
            assertThat(query(again, "SELECT name FROM machines")).containsExactly("mainpc");
            assertThat(query(again, "PRAGMA journal_mode")).containsExactly("wal");
        }
    }

    @Test
    void schemaVersionIsTheHighestMigration(HistoryDatabase db) {
        MigrationInfo[] all = Flyway.configure()
                .dataSource("jdbc:sqlite:" + db.file(), null, null)
                .locations(HistoryDatabase.MIGRATIONS)
                .load()
                .info()
                .all();
        assertThat(all[all.length - 1].getVersion()).isEqualTo(HistoryDatabase.SCHEMA_VERSION);
    }

    @Test
    void writeCommitsAndRollsBack(HistoryDatabase db) {
        db.write(c -> update(c, "INSERT INTO machines (name, fleet_root, python, environment_json, health_check_json, updated_at) VALUES ('kept', null, null, '{}', '{}', 'now')"));
        assertThatThrownBy(() -> db.write(c -> {
            update(c, "INSERT INTO machines (name, fleet_root, python, environment_json, health_check_json, updated_at) VALUES ('dropped', null, null, '{}', '{}', 'now')");
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThatThrownBy(() -> db.write(c -> update(c, "INSERT INTO nowhere VALUES (1)")))
                .isInstanceOfSatisfying(FleetshellException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.HISTORY_UNAVAILABLE))
                .hasMessageContaining(db.file().toString())
                .hasMessageContaining("Nothing was saved");
        assertThat(query(db, "SELECT name FROM machines")).containsExactly("kept");
    }

    @Test
    void writeHoldsTheWriteLockFromItsFirstStatement(HistoryDatabase db) throws Exception {
        try (var other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db.file())) {
            update(other, "PRAGMA busy_timeout = 0");
            db.write(c -> {
                strings(c, "SELECT count(*) FROM machines"); // only reads so far: DEFERRED would not lock yet
                assertThatThrownBy(() -> update(other, "BEGIN IMMEDIATE")).hasMessageContaining("SQLITE_BUSY");
                return null;
            });
        }
    }

    @Test
    void readDoesNotBlockWriters(HistoryDatabase db) throws Exception {
        try (var other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db.file())) {
            update(other, "PRAGMA busy_timeout = 0");
            List<String> seen = db.read(c -> {
                List<String> before = strings(c, "SELECT count(*) FROM machines");
                update(other, "INSERT INTO machines (name, fleet_root, python, environment_json, health_check_json, updated_at) VALUES ('written', null, null, '{}', '{}', 'now')");
                before.addAll(strings(c, "SELECT count(*) FROM machines")); // same snapshot
                return before;
            });
            assertThat(seen).containsExactly("0", "0");
            assertThat(query(db, "SELECT count(*) FROM machines")).containsExactly("1");
        }
    }

    @Test
    void readAndWriteDoNotNest(HistoryDatabase db) {
        assertThatThrownBy(() -> db.read(c -> db.write(w -> 1))).isInstanceOf(IllegalStateException.class);
        assertThat((int) db.write(c -> 2)).isEqualTo(2); // and the connection is still usable
    }

    @Test
    void historyTablesAreAppendOnly(HistoryDatabase db) {
        db.write(c -> update(c, """
                INSERT INTO events (at, command, arguments_json, exit_status, outcome, pid)
                VALUES ('2026-11-03T09:15:02.123Z', 'status', '[]', 0, 'ok', 1)"""));
        for (String sql : List.of("UPDATE events SET summary = 'x'", "DELETE FROM events")) {
            assertThatThrownBy(() -> db.write(c -> update(c, sql)))
                    .hasMessageContaining("events is append-only");
        }
        assertThat(query(db, "SELECT count(*) FROM events")).containsExactly("1");
    }

    @Test
    void garbageFileIsUnavailableAndLeftAlone() throws Exception {
        Path file = home.resolve("history.db");
        byte[] garbage = new byte[8192];
        new Random(42).nextBytes(garbage);
        Files.write(file, garbage);

        assertThatThrownBy(() -> HistoryDatabase.open(file))
                .isInstanceOfSatisfying(FleetshellException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.HISTORY_UNAVAILABLE))
                .hasMessageContaining(file + " is not a SQLite database")
                .hasMessageContaining("mv " + file + " " + file + ".broken");
        assertThat(Arrays.equals(Files.readAllBytes(file), garbage)).isTrue();
    }

    /** The versions of the migration files, in order: branches take numbers ahead of merging, so gaps happen. */
    static java.util.List<String> allVersions() {
        try (var files = java.nio.file.Files.list(Path.of(HistoryDatabase.class.getResource("migration").toURI()))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .map(n -> n.substring(1, n.indexOf("__")))
                    .sorted(java.util.Comparator.comparingInt(Integer::parseInt))
                    .toList();
        } catch (java.io.IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void newerSchemaIsUnavailable(HistoryDatabase db) {
        int future = Integer.parseInt(allVersions().getLast()) + 1;
        db.write(c -> update(c, """
                INSERT INTO flyway_schema_history
                    (installed_rank, version, description, type, script, installed_by, execution_time, success)
                VALUES (%d, '%d', 'from the future', 'SQL', 'V%d__from_the_future.sql', '', 1, 1)""".formatted(future, future, future)));
        Path file = db.file();
        db.close();

        assertThatThrownBy(() -> HistoryDatabase.open(file))
                .isInstanceOfSatisfying(FleetshellException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.HISTORY_UNAVAILABLE))
                .hasMessageContaining(file + " has schema version " + future + ", newer than this fleetshell knows ("
                        + HistoryDatabase.SCHEMA_VERSION + ")")
                .hasMessageContaining("Run the newer fleetshell");
    }

    @Test
    void someOtherSqliteDatabaseIsUnavailable() throws Exception {
        Path file = home.resolve("other.db");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file)) {
            update(c, "CREATE TABLE photos (id INTEGER PRIMARY KEY)");
        }
        assertThatThrownBy(() -> HistoryDatabase.open(file))
                .isInstanceOfSatisfying(FleetshellException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.HISTORY_UNAVAILABLE))
                .hasMessageContaining("Cannot migrate the history database " + file)
                .hasMessageContaining("move it away");
    }

    @Test
    void directoryThatCannotBeCreatedIsUnavailable() throws Exception {
        Path notADirectory = Files.writeString(home.resolve("home"), "a file");
        Path file = notADirectory.resolve("history.db");

        assertThatThrownBy(() -> HistoryDatabase.open(file))
                .isInstanceOfSatisfying(FleetshellException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.HISTORY_UNAVAILABLE))
                .hasMessageContaining("Cannot create the directory " + notADirectory)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("FLEETSHELL_HOME");
    }

    @Test
    void aDatabaseLockedTooLongSaysWhatToDo() {
        FleetshellException e = HistoryDatabase.unavailable(Path.of("/h/history.db"), "write to",
                new SQLiteException("[SQLITE_BUSY] The database file is locked", SQLiteErrorCode.SQLITE_BUSY));

        assertThat(e.code()).isEqualTo(ErrorCode.HISTORY_UNAVAILABLE);
        assertThat(e).hasMessage("Cannot write to the history database /h/history.db: another process kept it"
                + " locked for more than 10 s. Nothing was saved: the transaction was rolled back. Run the command"
                + " again when the other fleetshell has finished.");
    }

    @Test
    void closedDatabaseRefusesWork(HistoryDatabase db) {
        db.close();
        db.close();
        assertThatThrownBy(() -> db.read(c -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    static List<String> query(HistoryDatabase db, String sql) {
        return db.read(c -> strings(c, sql));
    }

    static List<String> strings(java.sql.Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement statement = c.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    static int update(java.sql.Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement()) {
            return statement.executeUpdate(sql);
        }
    }
}
