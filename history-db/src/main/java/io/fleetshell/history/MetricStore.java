package io.fleetshell.history;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.metrics.Exposition;
import io.fleetshell.engine.metrics.ExpositionFormat;
import io.fleetshell.engine.metrics.MetricFamily;
import io.fleetshell.engine.metrics.MetricType;
import io.fleetshell.engine.metrics.RequestStats;
import io.fleetshell.engine.metrics.Sample;
import io.fleetshell.engine.metrics.ScrapeResult;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runtime metrics in the history database: every scrape (failed ones with their error) and every sample a
 * successful one gave, written in batches inside one {@code BEGIN IMMEDIATE} transaction per call. Each
 * sample keeps the id of its scrape, so any figure computed from samples can name the scrapes (time, URL)
 * it came from. Nothing is updated; NaN values are stored as SQL NULL and read back as NaN.
 */
public final class MetricStore {

    /** Where samples came from: an agent's own endpoint, a Prometheus server's query API, or an imported file. */
    public enum Source {
        SCRAPE, PROMETHEUS, IMPORT;

        @JsonValue
        String column() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One stored scrape. {@code status} is {@code ok} or the failure's name in lower case. It serializes as the
     * {@code --json} of {@code metrics scrape} prints it, its status and error before the figures.
     */
    @JsonPropertyOrder({"id", "agent", "at", "source", "url", "status", "error", "took_ms"})
    public record StoredScrape(long id, AgentId agent, Instant at, Source source, String url, @JsonProperty("took_ms") double tookMillis, String status,
                               String error, long bytes, int samples) {
        public boolean ok() {
            return status.equals("ok");
        }
    }

    /** One series' points in a time range. */
    public record SeriesPoints(String name, Map<String, String> labels, List<Point> points) {
    }

    /** One stored sample value, with the scrape it came from. */
    public record Point(long scrapeId, Instant at, double value) {
    }

    /** What the agent served between two consecutive successful scrapes. */
    public record Interval(StoredScrape from, StoredScrape to, RequestStats stats) {
    }

    /** Rows per executeBatch: STACK.md measured 100k rows in 50-85 ms batched by 1000. */
    static final int BATCH = 1000;

    private static final String INSERT_SCRAPE = """
            INSERT INTO metric_scrapes (id, machine, agent, at_ms, source, url, took_ms, status, error, bytes, samples)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
    private static final String INSERT_SERIES = """
            INSERT INTO metric_series (machine, agent, family, type, name, labels_json) VALUES (?, ?, ?, ?, ?, ?) RETURNING id""";
    private static final String SELECT_SCRAPE = """
            SELECT id, machine, agent, at_ms, source, url, took_ms, status, error, bytes, samples FROM metric_scrapes
            """;
    private static final String SCRAPES_OF_AGENT = SELECT_SCRAPE + """
            WHERE machine = ? AND agent = ? AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms, id""";
    private static final String LATEST_SCRAPE = SELECT_SCRAPE + """
            WHERE machine = ? AND agent = ? ORDER BY at_ms DESC, id DESC LIMIT 1""";
    private static final String LATEST_OK_SCRAPE = SELECT_SCRAPE + """
            WHERE machine = ? AND agent = ? AND status = 'ok' AND at_ms >= ? ORDER BY at_ms DESC, id DESC LIMIT 1""";
    private static final String SCRAPE_BY_ID = SELECT_SCRAPE + "WHERE id = ?";
    private static final String SAMPLES_OF_SCRAPE = """
            SELECT s.family, s.type, s.name, s.labels_json, m.value FROM metric_samples m JOIN metric_series s ON s.id = m.series_id
            WHERE m.scrape_id = ? ORDER BY s.family, s.id""";
    private static final String RANGE = """
            SELECT s.id, s.name, s.labels_json, m.scrape_id, m.at_ms, m.value
            FROM metric_series s JOIN metric_samples m ON m.series_id = s.id
            WHERE s.machine = ? AND s.agent = ? AND (s.name = ? OR s.family = ?) AND m.at_ms >= ? AND m.at_ms <= ?
            ORDER BY s.id, m.at_ms""";

    /** Distinct series kept per scrape target: a label with unbounded values must not grow history without end. */
    public static final int MAX_SERIES_PER_TARGET = 20_000;

    private final HistoryDatabase database;
    private final Duration retention;

    public MetricStore(HistoryDatabase database) {
        this(database, null);
    }

    /** @param retention how long scrapes are kept ({@code metrics_retention} in settings.yaml); each save prunes older ones; null: forever */
    public MetricStore(HistoryDatabase database, Duration retention) {
        this.database = database;
        this.retention = retention;
    }

    /**
     * Stores every result (failures too) and its samples in one transaction; returns the scrapes in order.
     *
     * <p>Where the CPU goes at 1,000 scrapes a cycle (B4) or a million imported samples (B6) decided the shape: a
     * sample's series is found through {@link SeriesIds} (kept across calls, checked against {@code PRAGMA
     * data_version}) by its position in the agent's last scrape or else by its name and label map, without building
     * the label JSON again; scrape ids are assigned from {@code max(id)} under the IMMEDIATE transaction's write lock,
     * so scrapes insert in batches, not one query each; and samples insert many rows to a statement (see
     * {@link SampleRows}).
     */
    public List<StoredScrape> save(List<ScrapeResult> results, Source source) {
        try {
            return write(results, source);
        } catch (RuntimeException | Error e) {
            database.seriesIds().clear(); // ids of series this write added were rolled back with it
            throw e;
        }
    }

    private List<StoredScrape> write(List<ScrapeResult> results, Source source) {
        return database.write(c -> {
            List<StoredScrape> stored = new ArrayList<>(results.size());
            SeriesIds seriesIds = database.seriesIds();
            seriesIds.validate(c);
            SampleRows rows = new SampleRows(results.size() * 64);
            try (PreparedStatement scrape = c.prepareStatement(INSERT_SCRAPE);
                 PreparedStatement series = c.prepareStatement(INSERT_SERIES)) {
                long nextScrapeId = nextScrapeId(c);
                int pendingScrapes = 0;
                SeriesIds.Agent ids = null; // the last result's agent's: results of one agent come together
                AgentId idsOf = null;
                for (ScrapeResult result : results) {
                    StoredScrape row = scrapeRow(nextScrapeId++, result, source);
                    bindScrape(scrape, row);
                    if (++pendingScrapes == BATCH) {
                        scrape.executeBatch();
                        pendingScrapes = 0;
                    }
                    if (!(result instanceof ScrapeResult.Scraped ok)) {
                        stored.add(row);
                        continue;
                    }
                    if (ids == null || !row.agent().equals(idsOf)) {
                        ids = seriesIds.of(c, row.agent());
                        idsOf = row.agent();
                    }
                    int dropped = addSamples(ok.exposition(), row, ids, series, rows);
                    if (dropped > 0) {
                        String note = ("%d sample%s of new series not stored: %s/%s has reached the limit of %d series per target "
                                + "(a label with unbounded values?)").formatted(dropped, dropped == 1 ? "" : "s", row.agent().machine(),
                                row.agent().name(), MAX_SERIES_PER_TARGET);
                        row = new StoredScrape(row.id(), row.agent(), row.at(), row.source(), row.url(),
                                row.tookMillis(), row.status(), note, row.bytes(), row.samples());
                    }
                    stored.add(row);
                }
                if (pendingScrapes > 0) {
                    scrape.executeBatch();
                }
                for (StoredScrape row : stored) {
                    if (row.ok() && row.error() != null) {
                        try (PreparedStatement update = c.prepareStatement("UPDATE metric_scrapes SET error = ? WHERE id = ?")) {
                            update.setString(1, row.error());
                            update.setLong(2, row.id());
                            update.executeUpdate();
                        }
                    }
                }
                rows.insert(c);
            }
            if (retention != null) {
                prune(c, Instant.now().minus(retention).toEpochMilli());
            }
            return stored;
        });
    }

    /**
     * Adds one scrape's samples to {@code rows}, inserting the series it is the first to show; returns how many samples
     * were dropped for the {@link #MAX_SERIES_PER_TARGET} limit. A method of its own, called once per scrape, so that a
     * fresh JVM compiles it after a few hundred scrapes instead of running a long import's loop in the interpreter.
     */
    private static int addSamples(Exposition exposition, StoredScrape row, SeriesIds.Agent ids, PreparedStatement series,
                                  SampleRows rows) throws SQLException {
        long atMs = row.at().toEpochMilli();
        int dropped = 0;
        int position = 0;
        for (MetricFamily family : exposition.families()) {
            for (Sample s : family.samples()) {
                int at = position++;
                long id = ids.id(at, s);
                boolean found = id >= 0;
                if (!found && ids.size() >= MAX_SERIES_PER_TARGET) {
                    dropped++;
                    continue;
                }
                if (!found) {
                    String labels = Json.sortedLabels(s.labels());
                    id = ids.known(s.name(), labels);
                    if (id < 0) {
                        id = insertSeries(series, row.agent(), family, s.name(), labels);
                        ids.add(s.name(), labels, id);
                    }
                }
                ids.remember(at, s, id, found);
                // A sample's own timestamp is kept only through the scrape it came with: it
                // orders within an agent, and every figure is traced to a scrape.
                Long own = s.timestampMillis();
                rows.add(id, own == null ? atMs : own, row.id(), s.value());
            }
        }
        return dropped;
    }

    /** What {@link #prune} deleted. */
    public record Pruned(long samples, long scrapes, long series) {
    }

    /**
     * Deletes the metric history older than {@code before}: samples, then the scrapes and series left without one, in
     * one transaction (the growth of {@code history.db} is the scrapes': {@code history prune} and
     * {@code metrics_retention} in settings.yaml bound it). Deployments, events, baselines and gate decisions are
     * evidence and are kept.
     */
    public Pruned prune(Instant before) {
        return database.write(c -> prune(c, before.toEpochMilli()));
    }

    /** Deletes by scrape (indexed), so a retention applied at every save never scans the samples. */
    private Pruned prune(Connection c, long cut) throws SQLException {
        long samples;
        long scrapes;
        long series = 0;
        try (PreparedStatement s = c.prepareStatement("""
                DELETE FROM metric_samples WHERE scrape_id IN (SELECT id FROM metric_scrapes WHERE at_ms < ?)""")) {
            s.setLong(1, cut);
            samples = s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM metric_scrapes WHERE at_ms < ?")) {
            s.setLong(1, cut);
            scrapes = s.executeUpdate();
        }
        if (samples > 0) {
            try (PreparedStatement s = c.prepareStatement("""
                    DELETE FROM metric_series WHERE NOT EXISTS (SELECT 1 FROM metric_samples m WHERE m.series_id = metric_series.id)""")) {
                series = s.executeUpdate();
            }
            if (series > 0) {
                database.seriesIds().clear();
            }
        }
        return new Pruned(samples, scrapes, series);
    }

    /** An agent's scrapes from {@code from} to {@code to} (inclusive), oldest first. */
    public List<StoredScrape> scrapes(AgentId agent, Instant from, Instant to) {
        return database.read(c -> Rows.list(c, SCRAPES_OF_AGENT, MetricStore::scrape, agent.machine(), agent.name(),
                from.toEpochMilli(), to.toEpochMilli()));
    }

    public Optional<StoredScrape> latest(AgentId agent) {
        return database.read(c -> Rows.list(c, LATEST_SCRAPE, MetricStore::scrape, agent.machine(), agent.name())).stream().findFirst();
    }

    /** The agent's newest successful scrape since {@code since}. */
    public Optional<StoredScrape> latestOk(AgentId agent, Instant since) {
        return database.read(c -> Rows.list(c, LATEST_OK_SCRAPE, MetricStore::scrape, agent.machine(), agent.name(), since.toEpochMilli()))
                .stream().findFirst();
    }

    public Optional<StoredScrape> scrape(long id) {
        return database.read(c -> Rows.list(c, SCRAPE_BY_ID, MetricStore::scrape, id)).stream().findFirst();
    }

    /** The samples one scrape stored, regrouped into families (HELP texts are not stored). */
    public Exposition exposition(long scrapeId) {
        return database.read(c -> {
            Map<String, MetricType> types = new LinkedHashMap<>();
            Map<String, List<Sample>> samples = new LinkedHashMap<>();
            Rows.list(c, SAMPLES_OF_SCRAPE, row -> {
                String family = row.getString("family");
                types.putIfAbsent(family, MetricType.valueOf(row.getString("type").toUpperCase(Locale.ROOT)));
                samples.computeIfAbsent(family, f -> new ArrayList<>()).add(new Sample(row.getString("name"),
                        Json.readStringMap(row.getString("labels_json")), value(row, "value"), null));
                return null;
            }, scrapeId);
            List<MetricFamily> families = new ArrayList<>();
            types.forEach((name, type) -> families.add(new MetricFamily(name, type, "", "", samples.get(name))));
            return new Exposition(ExpositionFormat.TEXT, families);
        });
    }

    /**
     * What the agent served between each pair of consecutive successful scrapes from {@code from} to
     * {@code to}: the latency and error samples a baseline window or a gate compares, each naming its scrapes.
     */
    public List<Interval> intervals(AgentId agent, Instant from, Instant to) {
        List<Interval> intervals = new ArrayList<>();
        StoredScrape previous = null;
        Exposition before = null;
        for (StoredScrape scrape : scrapes(agent, from, to)) {
            if (!scrape.ok()) {
                continue;
            }
            Exposition after = exposition(scrape.id());
            if (previous != null) {
                intervals.add(new Interval(previous, scrape, RequestStats.between(before, after)));
            }
            previous = scrape;
            before = after;
        }
        return intervals;
    }

    /**
     * Every series of one agent named {@code name} (a sample name, or a family name for all its samples) with
     * its points from {@code from} to {@code to}, oldest first.
     */
    public List<SeriesPoints> range(AgentId agent, String name, Instant from, Instant to) {
        return database.read(c -> {
            List<SeriesPoints> series = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement(RANGE)) {
                query.setString(1, agent.machine());
                query.setString(2, agent.name());
                query.setString(3, name);
                query.setString(4, name);
                query.setLong(5, from.toEpochMilli());
                query.setLong(6, to.toEpochMilli());
                try (ResultSet row = query.executeQuery()) {
                    RangeRows rows = new RangeRows(series);
                    while (row.next()) {
                        rows.add(row);
                    }
                }
            }
            return List.copyOf(series);
        });
    }

    /**
     * The rows of a range query grouped into series. Rows come by series id (the V19 index), so a series' name and
     * labels are read once, at its first row. {@link #add} is a method of its own, called per row, so that a fresh
     * JVM compiles it after a few hundred rows: a one-shot {@code metrics show --metric} reads ~86,000 rows in one
     * loop, which the JIT would compile only after tens of thousands of iterations.
     */
    private static final class RangeRows {
        private final List<SeriesPoints> series;
        private long currentId;
        private List<Point> points;

        RangeRows(List<SeriesPoints> series) {
            this.series = series;
        }

        void add(ResultSet row) throws SQLException {
            long id = row.getLong(1);
            if (points == null || id != currentId) {
                points = new ArrayList<>();
                series.add(new SeriesPoints(row.getString(2), Json.readStringMap(row.getString(3)), points));
                currentId = id;
            }
            // getDouble reads SQL NULL (a NaN) as 0: only a 0 needs the driver's wasNull, a call into SQLite of its own.
            double v = row.getDouble(6);
            if (v == 0 && row.wasNull()) {
                v = Double.NaN;
            }
            points.add(new Point(row.getLong(4), Instant.ofEpochMilli(row.getLong(5)), v));
        }
    }

    private static StoredScrape scrapeRow(long id, ScrapeResult result, Source source) {
        AgentId agent = result.target().agent();
        String status = switch (result) {
            case ScrapeResult.Scraped ignored -> "ok";
            case ScrapeResult.Failed f -> f.failure().name().toLowerCase(Locale.ROOT);
        };
        String error = result instanceof ScrapeResult.Failed f ? f.message() : null;
        long bytes = result instanceof ScrapeResult.Scraped s ? s.bytes() : 0;
        int samples = result instanceof ScrapeResult.Scraped s ? s.exposition().sampleCount() : 0;
        double tookMs = result.took().toNanos() / 1e6;
        Instant at = Instant.ofEpochMilli(result.at().toEpochMilli());
        return new StoredScrape(id, agent, at, source, result.target().uri().toString(), tookMs, status, error, bytes, samples);
    }

    private static void bindScrape(PreparedStatement insert, StoredScrape row) throws SQLException {
        insert.setLong(1, row.id());
        insert.setString(2, row.agent().machine());
        insert.setString(3, row.agent().name());
        insert.setLong(4, row.at().toEpochMilli());
        insert.setString(5, row.source().column());
        insert.setString(6, row.url());
        insert.setDouble(7, row.tookMillis());
        insert.setString(8, row.status());
        insert.setString(9, row.error());
        insert.setLong(10, row.bytes());
        insert.setInt(11, row.samples());
        insert.addBatch();
    }

    /** The id the next scrape gets; only called inside a write transaction, whose lock keeps other writers out until commit. */
    private static long nextScrapeId(Connection c) throws SQLException {
        try (PreparedStatement max = c.prepareStatement("SELECT coalesce(max(id), 0) + 1 FROM metric_scrapes");
             ResultSet row = max.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static long insertSeries(PreparedStatement insert, AgentId agent, MetricFamily family, String name, String labels)
            throws SQLException {
        insert.setString(1, agent.machine());
        insert.setString(2, agent.name());
        insert.setString(3, family.name());
        insert.setString(4, family.type().name().toLowerCase(Locale.ROOT));
        insert.setString(5, name);
        insert.setString(6, labels);
        try (ResultSet key = insert.executeQuery()) {
            key.next();
            return key.getLong(1);
        }
    }

    private static StoredScrape scrape(ResultSet row) throws SQLException {
        return new StoredScrape(row.getLong("id"), new AgentId(row.getString("machine"), row.getString("agent")),
                Instant.ofEpochMilli(row.getLong("at_ms")), Source.valueOf(row.getString("source").toUpperCase(Locale.ROOT)),
                row.getString("url"), row.getDouble("took_ms"), row.getString("status"), row.getString("error"),
                row.getLong("bytes"), row.getInt("samples"));
    }

    private static double value(ResultSet row, String column) throws SQLException {
        double v = row.getDouble(column);
        return row.wasNull() ? Double.NaN : v;
    }
}
