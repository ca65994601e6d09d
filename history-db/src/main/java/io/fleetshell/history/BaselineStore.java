package io.fleetshell.history;

import io.fleetshell.engine.inventory.AgentId;
import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.ImportTiming;
import io.fleetshell.engine.profile.LoadSample;
import io.fleetshell.engine.profile.ProfileTarget;
import io.fleetshell.engine.profile.Stats;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Profiling baselines: every profile of an agent is stored as a new version with all its raw samples
 * and the summary that was shown. Nothing is ever updated or deleted.
 */
public final class BaselineStore {

    private static final String NEXT_VERSION = """
            SELECT COALESCE(MAX(version), 0) + 1 FROM baselines WHERE machine = ? AND agent = ?""";

    private static final String INSERT_BASELINE = """
            INSERT INTO baselines (machine, agent, version, created_at, script, script_sha256, working_directory,
                                   python, python_version, runs_requested, status, error, summary_json, measured_on)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id""";

    private static final String INSERT_SAMPLE = """
            INSERT INTO baseline_samples (baseline_id, run, ok, load_ms, peak_rss_kb, modules_loaded,
                                          error_type, error_message, error_line, imports_json, statements_json,
                                          cpu_ms, load_average)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private static final String SELECT_BASELINE = """
            SELECT id, machine, agent, version, created_at, script, script_sha256, working_directory, python,
                   python_version, measured_on
            FROM baselines
            """;

    private static final String LATEST_PER_AGENT = SELECT_BASELINE + """
            WHERE id IN (SELECT MAX(id) FROM baselines GROUP BY machine, agent)
            ORDER BY machine, agent""";

    private static final String VERSIONS_OF_AGENT = SELECT_BASELINE + """
            WHERE machine = ? AND agent = ?
            ORDER BY version DESC""";

    private static final String SAMPLES = """
            SELECT run, ok, load_ms, peak_rss_kb, modules_loaded, error_type, error_message, error_line, imports_json,
                   statements_json, cpu_ms, load_average
            FROM baseline_samples WHERE baseline_id = ? ORDER BY run""";

    private final HistoryDatabase database;

    public BaselineStore(HistoryDatabase database) {
        this.database = database;
    }

    /** Stores the profile as the agent's next baseline version, samples and summary in one transaction. */
    public Baseline save(AgentProfile profile, String scriptSha256, int runsRequested, Instant at) {
        ProfileTarget target = profile.target();
        return database.write(c -> {
            int version;
            try (PreparedStatement next = c.prepareStatement(NEXT_VERSION)) {
                next.setString(1, target.agent().machine());
                next.setString(2, target.agent().name());
                try (ResultSet rs = next.executeQuery()) {
                    rs.next();
                    version = rs.getInt(1);
                }
            }
            long id;
            try (PreparedStatement insert = c.prepareStatement(INSERT_BASELINE)) {
                insert.setString(1, target.agent().machine());
                insert.setString(2, target.agent().name());
                insert.setInt(3, version);
                insert.setString(4, Timestamps.format(at));
                insert.setString(5, target.script().toString());
                insert.setString(6, scriptSha256);
                insert.setString(7, target.workingDirectory().toString());
                insert.setString(8, target.python());
                insert.setString(9, profile.python());
                insert.setInt(10, runsRequested);
                insert.setString(11, profile.loaded() ? "ok" : "failed");
                insert.setString(12, profile.failure().map(Object::toString).orElse(null));
                insert.setString(13, Json.write(summary(profile)));
                insert.setString(14, profile.measuredHere() ? null : profile.measuredOn());
                try (ResultSet key = insert.executeQuery()) {
                    key.next();
                    id = key.getLong(1);
                }
            }
            insertSamples(c, id, profile.samples());
            return new Baseline(id, version, Instant.parse(Timestamps.format(at)), scriptSha256, profile);
        });
    }

    /** The newest baseline of every agent that has one, by machine and name. */
    public List<Baseline> latest() {
        return database.read(c -> query(c, LATEST_PER_AGENT));
    }

    /** Every version of one agent's baseline, newest first. */
    public List<Baseline> versions(AgentId agent) {
        return database.read(c -> query(c, VERSIONS_OF_AGENT, agent.machine(), agent.name()));
    }

    public Optional<Baseline> latest(AgentId agent) {
        return versions(agent).stream().findFirst();
    }

    /** What {@code baseline list} shows and what is stored beside the samples. */
    static Map<String, Object> summary(AgentProfile profile) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("samples", profile.samples().size());
        summary.put("loaded", profile.loaded());
        if (profile.loaded()) {
            Stats load = profile.loadMillis();
            Map<String, Object> loadMs = new LinkedHashMap<>(); // Map.of would store its keys in a per-JVM order
            loadMs.put("median", load.median());
            loadMs.put("min", load.min());
            loadMs.put("max", load.max());
            summary.put("load_ms", loadMs);
            summary.put("peak_rss_kb_median", profile.peakRssKb().median());
            summary.put("modules_loaded_median", profile.modulesLoaded().median());
            summary.put("direct_imports", profile.directImports().stream()
                    .map(i -> List.of(i.module(), i.selfMillis(), i.cumulativeMillis())).toList());
        } else {
            summary.put("error", profile.failure().map(Object::toString).orElse(null));
        }
        return summary;
    }

    private static void insertSamples(Connection c, long baselineId, List<LoadSample> samples) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(INSERT_SAMPLE)) {
            for (LoadSample s : samples) {
                insert.setLong(1, baselineId);
                insert.setInt(2, s.run());
                insert.setInt(3, s.ok() ? 1 : 0);
                insert.setDouble(4, s.loadMillis());
                insert.setLong(5, s.peakRssKb());
                insert.setInt(6, s.modulesLoaded());
                insert.setString(7, s.error() == null ? null : s.error().type());
                insert.setString(8, s.error() == null ? null : s.error().message());
                if (s.error() == null || s.error().line() == null) {
                    insert.setNull(9, Types.INTEGER);
                } else {
                    insert.setInt(9, s.error().line());
                }
                insert.setString(10, Json.write(s.imports().stream()
                        .map(i -> List.of(i.module(), i.depth(), i.selfMicros(), i.cumulativeMicros())).toList()));
                insert.setString(11, Json.write(s.statements().stream()
                        .map(cost -> List.of(cost.module(), cost.line(), cost.millis(), cost.rssKb())).toList()));
                setMaybe(insert, 12, s.cpuMillis());
                setMaybe(insert, 13, s.loadAverage());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** NaN (not measured) is stored as NULL. */
    private static void setMaybe(PreparedStatement statement, int index, double value) throws SQLException {
        if (Double.isFinite(value)) {
            statement.setDouble(index, value);
        } else {
            statement.setNull(index, Types.REAL);
        }
    }

    private static double maybe(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static List<Baseline> query(Connection c, String sql, String... parameters) throws SQLException {
        return Rows.list(c, sql, row -> {
            ProfileTarget target = new ProfileTarget(new AgentId(row.getString("machine"), row.getString("agent")),
                    Path.of(row.getString("script")), row.getString("python"), Path.of(row.getString("working_directory")),
                    Map.of());
            long id = row.getLong("id");
            return new Baseline(id, row.getInt("version"), Timestamps.parse(row.getString("created_at")),
                    row.getString("script_sha256"), new AgentProfile(target, samples(c, id, row.getString("python_version")),
                    row.getString("measured_on")));
        }, (Object[]) parameters);
    }

    private static List<LoadSample> samples(Connection c, long baselineId, String pythonVersion) throws SQLException {
        return Rows.list(c, SAMPLES, row -> {
            String errorType = row.getString("error_type");
            Object line = row.getObject("error_line");
            LoadSample.LoadError error = errorType == null ? null
                    : new LoadSample.LoadError(errorType, row.getString("error_message"), line == null ? null : ((Number) line).intValue());
            List<ImportTiming> imports = Json.readRows(row.getString("imports_json")).stream()
                    .map(r -> new ImportTiming((String) r.get(0), ((Number) r.get(1)).intValue(),
                            ((Number) r.get(2)).longValue(), ((Number) r.get(3)).longValue()))
                    .toList();
            List<LoadSample.StatementCost> statements = Json.readRows(row.getString("statements_json")).stream()
                    .map(r -> new LoadSample.StatementCost((String) r.get(0), ((Number) r.get(1)).intValue(),
                            ((Number) r.get(2)).doubleValue(), ((Number) r.get(3)).longValue()))
                    .toList();
            return new LoadSample(row.getInt("run"), row.getInt("ok") == 1, row.getDouble("load_ms"),
                    row.getLong("peak_rss_kb"), row.getInt("modules_loaded"), imports, statements, pythonVersion, error,
                    maybe(row.getObject("cpu_ms")), maybe(row.getObject("load_average")));
        }, baselineId);
    }
}
