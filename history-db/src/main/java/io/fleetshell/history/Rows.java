package io.fleetshell.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Runs a query and maps each row: the one loop every DAO here needs. */
final class Rows {

    private Rows() {
    }

    /** Builds one value from the current row. */
    @FunctionalInterface
    interface Mapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** The rows of {@code sql} with {@code parameters} bound in order (null binds SQL NULL), each mapped. */
    static <T> List<T> list(Connection c, String sql, Mapper<T> mapper, Object... parameters) throws SQLException {
        try (PreparedStatement query = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            List<T> values = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    values.add(mapper.map(rows));
                }
            }
            return values;
        }
    }
}
