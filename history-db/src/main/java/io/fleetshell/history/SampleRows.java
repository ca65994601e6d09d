package io.fleetshell.history;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;

/**
 * The sample rows of one write, held in primitive arrays and inserted in the table's key order (series, time,
 * scrape). Scrapes of a fleet arrive in that order already; a recorded file arrives scrape by scrape across all its
 * series, and inserting it so would touch a different B-tree page for every row: it is sorted first.
 */
final class SampleRows {

    private long[] series;
    private long[] at;
    private long[] scrape;
    private double[] value;
    private int size;
    private boolean ordered = true;

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
        if (ordered && size > 0 && compare(size - 1, seriesId, atMs, scrapeId) > 0) {
            ordered = false;
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

    /** Inserts every row through {@code insert} ({@code series_id, at_ms, scrape_id, value}), in batches of {@link MetricStore#BATCH}. */
    void insert(PreparedStatement insert) throws SQLException {
        int[] order = order();
        int pending = 0;
        for (int k = 0; k < size; k++) {
            int i = order == null ? k : order[k];
            insert.setLong(1, series[i]);
            insert.setLong(2, at[i]);
            insert.setLong(3, scrape[i]);
            if (Double.isNaN(value[i])) {
                insert.setNull(4, Types.REAL);
            } else {
                insert.setDouble(4, value[i]);
            }
            insert.addBatch();
            if (++pending == MetricStore.BATCH) {
                insert.executeBatch();
                pending = 0;
            }
        }
        if (pending > 0) {
            insert.executeBatch();
        }
    }

    /** The rows' indices in key order, or null when they are in it already. */
    private int[] order() {
        if (ordered) {
            return null;
        }
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        int[] buffer = new int[size];
        mergeSort(order, buffer, 0, size);
        return order;
    }

    private void mergeSort(int[] a, int[] buffer, int from, int to) {
        if (to - from < 2) {
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, buffer, from, mid);
        mergeSort(a, buffer, mid, to);
        if (compare(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, buffer, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || i < mid && compare(buffer[i], buffer[j]) <= 0) {
                a[k] = buffer[i++];
            } else {
                a[k] = buffer[j++];
            }
        }
    }

    private int compare(int i, int j) {
        return compare(i, series[j], at[j], scrape[j]);
    }

    private int compare(int i, long seriesId, long atMs, long scrapeId) {
        int c = Long.compare(series[i], seriesId);
        if (c == 0) {
            c = Long.compare(at[i], atMs);
        }
        return c == 0 ? Long.compare(scrape[i], scrapeId) : c;
    }
}
