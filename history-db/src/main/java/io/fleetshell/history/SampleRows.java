package io.fleetshell.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;

/**
 * The sample rows of one write, held in primitive arrays and inserted in the order they came (scrape by scrape),
 * {@link #ROWS_PER_STATEMENT} rows to a statement. Measured on B6 (one agent's 95,040 recorded samples, CPU of the
 * insert): one row per statement through {@code executeBatch} cost 1.3x what 4,096 rows per statement cost, and
 * sorting the rows into the table's key order first cost more than it saved (the {@code scrape_id} index then
 * takes its entries out of order instead of the table).
 */
final class SampleRows {

    /**
     * Rows per {@code INSERT ... VALUES (?, ?, ?, ?), ...}: 16,384 parameters, under SQLite's 32,766. Fewer rows to a
     * statement cost more per row: a multi-row insert journals every page it touches for a statement rollback once
     * per statement, and scrape by scrape a statement touches one table page per series.
     */
    static final int ROWS_PER_STATEMENT = 4096;

    private long[] series;
    private long[] at;
    private long[] scrape;
    private double[] value;
    private int size;

    SampleRows(int capacity) {
        int n = Math.max(16, capacity);
        series = new long[n];
        at = new long[n];
        scrape = new long[n];
        value = new double[n];
    }

    void add(long seriesId, long atMs, long scrapeId, double v) {
        if (size == series.length) {
            int n = size * 2;
            series = Arrays.copyOf(series, n);
            at = Arrays.copyOf(at, n);
            scrape = Arrays.copyOf(scrape, n);
            value = Arrays.copyOf(value, n);
        }
        series[size] = seriesId;
        at[size] = atMs;
        scrape[size] = scrapeId;
        value[size] = v;
        size++;
    }

    int size() {
        return size;
    }

    /** Inserts every row into {@code metric_samples}: full statements of {@link #ROWS_PER_STATEMENT} rows, then one of the rest. */
    void insert(Connection c) throws SQLException {
        int full = size - size % ROWS_PER_STATEMENT;
        if (full > 0) {
            try (PreparedStatement insert = c.prepareStatement(insertSql(ROWS_PER_STATEMENT))) {
                for (int from = 0; from < full; from += ROWS_PER_STATEMENT) {
                    bind(insert, from, ROWS_PER_STATEMENT);
                    insert.executeUpdate();
                }
            }
        }
        if (full < size) {
            try (PreparedStatement insert = c.prepareStatement(insertSql(size - full))) {
                bind(insert, full, size - full);
                insert.executeUpdate();
            }
        }
    }

    private void bind(PreparedStatement insert, int from, int rows) throws SQLException {
        for (int i = from, p = 1; i < from + rows; i++, p += 4) {
            bindRow(insert, p, i);
        }
    }

    /**
     * One row's four values. A method of its own so that a fresh JVM compiles it after a few hundred rows: the loop
     * above runs a statement's 4,096 rows per call, and the JIT compiles a loop only after tens of thousands of
     * iterations (a one-shot {@code metrics import} bound most of its rows in the interpreter).
     */
    private void bindRow(PreparedStatement insert, int p, int i) throws SQLException {
        insert.setLong(p, series[i]);
        insert.setLong(p + 1, at[i]);
        insert.setLong(p + 2, scrape[i]);
        double v = value[i];
        if (Double.isNaN(v)) {
            insert.setNull(p + 3, Types.REAL);
        } else {
            insert.setDouble(p + 3, v);
        }
    }

    static String insertSql(int rows) {
        StringBuilder sql = new StringBuilder(80 + rows * 14).append("INSERT INTO metric_samples (series_id, at_ms, scrape_id, value) VALUES ");
        for (int r = 0; r < rows; r++) {
            sql.append(r == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)");
        }
        return sql.toString();
    }
}
