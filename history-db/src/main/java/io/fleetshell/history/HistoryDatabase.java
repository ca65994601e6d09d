package io.fleetshell.history;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The history database file, opened and migrated to the schema this build knows. It holds one SQLite
 * connection in WAL mode; {@link #write} runs work in a {@code BEGIN IMMEDIATE} transaction so that
 * several fleetshell processes can write the same file without {@code SQLITE_BUSY}, and {@link #read}
 * runs it in a deferred (snapshot) transaction. Every failure to open, read or write the file is a
 * {@link FleetshellException} with {@link ErrorCode#HISTORY_UNAVAILABLE} whose message names the file
 * and what to do about it. Beside {@code history.db} live SQLite's {@code -wal} and {@code -shm} files and
 * {@code history.db-open.lock}, which serializes opening (and so migrating) across processes.
 */
public final class HistoryDatabase implements AutoCloseable {

    /** The highest migration in {@value #MIGRATIONS}; a test checks it against the files. */
    static final MigrationVersion SCHEMA_VERSION = MigrationVersion.fromVersion("24");

    static final String MIGRATIONS = "classpath:io/fleetshell/history/migration";

    static final int BUSY_TIMEOUT_MILLIS = 10_000;

    /**
     * Serializes open() within this JVM: the file lock below is held per process, and a second
     * FileChannel.lock() on the same file from the same JVM throws instead of waiting.
     */
    private static final ReentrantLock OPENING = new ReentrantLock();

    private final Path file;
    private final SQLiteConnection connection;
    /**
     * One connection, used by one thread at a time. SQLite lets one writer in at a time anyway, the
     * shell runs one command at a time, and WAL keeps other processes' readers unblocked; a pool would
     * only add connections of our own that could keep each other busy. Reads are a few milliseconds.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** Per connection, so that every {@link MetricStore} on it sees the same ids and the same invalidations. */
    private final SeriesIds seriesIds = new SeriesIds();
    private boolean closed;

    private HistoryDatabase(Path file, SQLiteConnection connection) {
        this.file = file;
        this.connection = connection;
    }

    /**
     * Opens the history database at {@code file}, creating it and its parent directories when missing,
     * and applies any migration it lacks. Safe to call from several processes at once on a new file.
     *
     * @throws FleetshellException with {@link ErrorCode#HISTORY_UNAVAILABLE} when the file cannot be
     *                             created or opened, is not a SQLite database, or was written by a newer
     *                             fleetshell
     */
    public static HistoryDatabase open(Path file) {
        Path db = file.toAbsolutePath().normalize();
        createParentDirectories(db);
        SQLiteDataSource dataSource = dataSource(db);
        // Flyway does not lock SQLite ("No concurrent migration supported"): two shells starting on a
        // new file both ran V1 and one died with SQLITE_BUSY(_SNAPSHOT) in 3 of 5 runs of
        // ConcurrentWritersTest. A lock file next to the database serializes opening across processes
        // (held for a few milliseconds when the schema is current); Flyway's own transactions are
        // IMMEDIATE as well (see dataSource), which alone also passed that test.
        Path lockFile = db.resolveSibling(db.getFileName() + "-open.lock");
        OPENING.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            SQLiteConnection connection = (SQLiteConnection) dataSource.getConnection();
            try {
                migrate(db, connection, dataSource);
                return new HistoryDatabase(db, connection);
            } catch (RuntimeException | SQLException e) {
                closeQuietly(connection, e);
                throw e;
            }
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.HISTORY_UNAVAILABLE,
                    "Cannot open the history database " + db + ": cannot lock " + lockFile + " (" + e.getMessage()
                            + "). Make " + db.getParent() + " writable, or point FLEETSHELL_HOME at a writable"
                            + " directory. Nothing was changed.", e);
        } catch (SQLException e) {
            throw unavailable(db, "open", e);
        } finally {
            OPENING.unlock();
        }
    }

    SeriesIds seriesIds() {
        return seriesIds;
    }

    /** The database file (absolute, normalized). */
    public Path file() {
        return file;
    }

    /**
     * Runs {@code work} in a {@code BEGIN IMMEDIATE} transaction and commits it; any exception rolls it
     * back. The transaction waits up to 10 s for another process's write to finish.
     *
     * @throws FleetshellException with {@link ErrorCode#HISTORY_UNAVAILABLE} when SQLite fails;
     *                             exceptions thrown by {@code work} itself pass through unchanged
     */
    public <T> T write(SqlWork<T> work) {
        return inTransaction(SQLiteConfig.TransactionMode.IMMEDIATE, "write to", work);
    }

    /**
     * Runs {@code work} in a read transaction: it sees one consistent snapshot of the database and never
     * blocks writers.
     */
    public <T> T read(SqlWork<T> work) {
        return inTransaction(SQLiteConfig.TransactionMode.DEFERRED, "read", work);
    }

    private <T> T inTransaction(SQLiteConfig.TransactionMode mode, String verb, SqlWork<T> work) {
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("read() and write() do not nest: use the Connection you were given");
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("The history database " + file + " is closed");
            }
            connection.getConnectionConfig().setTransactionMode(mode);
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(e);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw unavailable(file, verb, e);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the connection; SQLite checkpoints the WAL when the last connection to the file closes. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                connection.close();
            }
        } catch (SQLException e) {
            throw unavailable(file, "close", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "HistoryDatabase[" + file + "]";
    }

    private void rollbackQuietly(Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static SQLiteDataSource dataSource(Path db) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.enforceForeignKeys(true);
        // Nothing here reads generated keys (inserts that need an id say RETURNING): with them on, sqlite-jdbc runs a
        // regular expression over the SQL and a SELECT last_insert_rowid() after every executeUpdate of an INSERT.
        config.setGetGeneratedKeys(false);
        // Flyway's connection comes from this data source too: its transactions then start with
        // BEGIN IMMEDIATE, so they cannot fail to upgrade a read lock while another process writes.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + db);
        return dataSource;
    }

    private static void createParentDirectories(Path db) {
        Path parent = db.getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.HISTORY_UNAVAILABLE,
                    "Cannot create the directory " + parent + " for the history database " + db + " (" + e
                            + "). Make it creatable and writable, or point FLEETSHELL_HOME at a writable"
                            + " directory. Nothing was changed.", e);
        }
    }

    private static void migrate(Path db, SQLiteConnection connection, SQLiteDataSource dataSource) throws SQLException {
        MigrationVersion current = schemaVersion(connection);
        if (current != null && current.compareTo(SCHEMA_VERSION) == 0) {
            // The usual case. Running Flyway anyway (scan, validate, no-op migrate) added ~0.8 s to a
            // cold start, measured; the price is that an edited, already applied migration goes unnoticed.
            return;
        }
        if (current != null && current.compareTo(SCHEMA_VERSION) > 0) {
            throw new FleetshellException(ErrorCode.HISTORY_UNAVAILABLE,
                    "The history database " + db + " has schema version " + current + ", newer than this"
                            + " fleetshell knows (" + SCHEMA_VERSION + "): a newer fleetshell wrote it. Run the"
                            + " newer fleetshell, or move " + db + " away to start a new history. Nothing was"
                            + " changed.");
        }
        try {
            Flyway.configure(HistoryDatabase.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations(MIGRATIONS)
                    .failOnMissingLocations(true)
                    .validateMigrationNaming(true)
                    .cleanDisabled(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new FleetshellException(ErrorCode.HISTORY_UNAVAILABLE,
                    "Cannot migrate the history database " + db + " to schema version " + SCHEMA_VERSION + ": "
                            + e.getMessage() + ". The failed migration was rolled back. If " + db + " is not a"
                            + " fleetshell history, move it away to start a new one.", e);
        }
    }

    /** The version of the last successful migration, or null on a database Flyway never touched. */
    private static MigrationVersion schemaVersion(SQLiteConnection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            try (ResultSet tables = statement.executeQuery(
                    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'flyway_schema_history'")) {
                if (!tables.next()) {
                    return null;
                }
            }
            try (ResultSet last = statement.executeQuery("""
                    SELECT version FROM flyway_schema_history
                    WHERE success = 1 AND version IS NOT NULL
                    ORDER BY installed_rank DESC LIMIT 1""")) {
                return last.next() ? MigrationVersion.fromVersion(last.getString(1)) : null;
            }
        }
    }

    /** Turns a SQLite failure into the message the user sees, by its (extended) result code. */
    static FleetshellException unavailable(Path db, String verb, SQLException e) {
        String code = e instanceof SQLiteException sqlite ? sqlite.getResultCode().name() : "";
        String nothingChanged = verb.equals("write to")
                ? " Nothing was saved: the transaction was rolled back."
                : " Nothing was changed.";
        String moveAway = " Move it away (for example: mv " + db + " " + db + ".broken) and fleetshell will start"
                + " a new, empty history there.";
        String message;
        boolean full = code.startsWith("SQLITE_FULL") || String.valueOf(e.getMessage()).contains("cannot commit - no transaction is active");
        if (full) {
            // SQLite rolls a transaction back by itself when a write finds the disk full; the commit then finds none.
            message = "Cannot " + verb + " the history database " + db + ": " + (code.startsWith("SQLITE_FULL")
                    ? "the disk holding it is full" : "SQLite rolled the transaction back by itself, as it does when the disk is full")
                    + " (" + freeSpace(db) + "). Nothing was stored. Free space there (or point FLEETSHELL_HOME at another disk)"
                    + " and run the command again.";
        } else if (code.startsWith("SQLITE_NOTADB")) {
            message = db + " is not a SQLite database, so fleetshell cannot use it as its history." + moveAway
                    + nothingChanged;
        } else if (code.startsWith("SQLITE_CORRUPT")) {
            message = "The history database " + db + " is damaged (" + e.getMessage() + ")." + moveAway
                    + nothingChanged;
        } else if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
            message = "Cannot " + verb + " the history database " + db + ": another process kept it locked for"
                    + " more than " + BUSY_TIMEOUT_MILLIS / 1000 + " s." + nothingChanged
                    + " Run the command again when the other fleetshell has finished.";
        } else if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_READONLY")
                || code.startsWith("SQLITE_PERM") || code.startsWith("SQLITE_AUTH")) {
            message = "Cannot " + verb + " the history database " + db + " (" + e.getMessage() + "). Make " + db
                    + " and " + db.getParent() + " writable, or point FLEETSHELL_HOME at a writable directory."
                    + nothingChanged;
        } else {
            message = "Cannot " + verb + " the history database " + db + ": " + e.getMessage() + "."
                    + nothingChanged;
        }
        return new FleetshellException(ErrorCode.HISTORY_UNAVAILABLE, message, e);
    }

    private static String freeSpace(Path db) {
        try {
            long free = java.nio.file.Files.getFileStore(db.toAbsolutePath().getParent()).getUsableSpace();
            return free < 1024 * 1024 ? free / 1024 + " KB free" : free / (1024 * 1024) + " MB free";
        } catch (java.io.IOException | RuntimeException e) {
            return "free space unknown";
        }
    }

    private static void closeQuietly(SQLiteConnection connection, Exception cause) {
        try {
            connection.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
