package io.fleetshell.history;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A piece of JDBC work run by {@link HistoryDatabase#read} or {@link HistoryDatabase#write} inside a
 * transaction the database opened. The work must not commit, roll back, change auto-commit or close the
 * connection, and must not keep it after returning.
 *
 * @param <T> what the work returns
 */
@FunctionalInterface
public interface SqlWork<T> {

    T run(Connection connection) throws SQLException;
}
